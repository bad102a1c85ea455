"""What the archive may say in words other than the notes: the audience a
person reads each series as, who did something (as a role, or "you"), and
free text (consent notes, audit details, comments) shown whole only when it
names nobody else, as the review shows a facilitator's reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from notesbase.access import notes_audience
from notesbase.db import db
from notesbase.disclosure import Audience, Notes
from notesbase.disclosure.mentions import Mentions
from notesbase.models import Member, Series
from notesbase.notes.facts import active_grants, people_facts, people_mentions
from notesbase.review.shown import names_others

WITHHELD = "(withheld: it names someone else)"
# Anything shaped like an address: one that is not the person's own is withheld.
ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")


def audience_for(member: Member | None, series: Series) -> Audience:
    """Members of the series read as members (facilitators too: the archive
    gives nobody more than a member reads); everyone else as the public."""
    if notes_audience(member, series) is None:
        return Audience.PUBLIC
    return Audience.MEMBER


@dataclass(frozen=True)
class Words:
    """Everyone as they are now, for judging free text about ``person_id``."""

    person_id: int
    member_id: int | None
    mentions: Mentions
    notes: Notes
    own_addresses: frozenset[str] = field(default_factory=frozenset)

    def text(self, value: str | None) -> str:
        """``value`` whole when the matcher and the leak check's people rules
        (for the public, the strictest) find nobody but the person in it;
        else a marker. Fail closed: a text that cannot be cleared is withheld."""
        if not value:
            return ""
        if any(a.casefold() not in self.own_addresses for a in ADDRESS.findall(value)):
            return WITHHELD
        if self.mentions.people_in(value) - {self.person_id}:
            return WITHHELD
        if names_others(self.notes, [value], self.person_id, Audience.PUBLIC):
            return WITHHELD
        return value

    def who(self, member: Member | None) -> str:
        """Who acted: "you", or their role; never another person's name or address."""
        if member is None:
            return "not recorded"
        if member.id == self.member_id:
            return "you"
        return f"{'an' if member.role.value[0] in 'aeiou' else 'a'} {member.role.value}"


def words_for(person_id: int, member_id: int | None, addresses: set[str]) -> Words:
    session = db.session
    grants = tuple(
        g for g in active_grants(session) if g.series_id is None and g.meeting_id is None
    )
    notes = Notes(0, 0, (), people_facts(session), grants)
    own = frozenset(a.casefold() for a in addresses)
    return Words(person_id, member_id, people_mentions(session), notes, own)
