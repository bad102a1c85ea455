"""What the consent pages show: the items recorded against a person, as each
audience reads them now, and the level in force for every scope with the
grant it comes from. Read-only queries; changes go through
``notesbase.consent.grants``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.consent.grants import Scope, active_grants, history
from notesbase.db import db
from notesbase.disclosure import Audience, ConsentAudience, DisclosedItem, Level, attribution
from notesbase.disclosure.consent import level_in_force, released_level
from notesbase.disclosure.folding import fold
from notesbase.models import Consent, Item, Meeting, Member, Person, Series
from notesbase.notes.facts import grant_facts, meeting_views, person_facts
from notesbase.series_names import series_labels

EVERYWHERE = "all"


# --- items recorded against a person ----------------------------------------


@dataclass(frozen=True)
class AttributedItem:
    """One item as members and the public read it (None: they do not see it).
    ``facilitator`` is filled only on the facilitators' person page."""

    id: int
    member: DisclosedItem | None
    public: DisclosedItem | None
    facilitator: DisclosedItem | None = None


@dataclass
class MeetingItems:
    meeting: Meeting
    items: list[AttributedItem] = field(default_factory=list)


@dataclass
class SeriesItems:
    series: Series
    meetings: list[MeetingItems] = field(default_factory=list)


def readable_series_ids(member: Member) -> set[int] | None:
    """The series whose notes ``member`` reads (None: every series)."""
    if member.is_facilitator:
        return None
    return {s.id for s in member.series}


def attributed_items(
    person: Person, *, series_ids: set[int] | None, for_facilitator: bool = False
) -> list[SeriesItems]:
    """Every item recorded against ``person`` in the given series, grouped by
    series and meeting, read through ``meeting_views`` for each audience. For
    anyone but a facilitator, an item members cannot see is left out
    altogether: it is neither listed nor counted."""
    query = (
        sa.select(Item.id, Item.meeting_id)
        .join(Meeting, Meeting.id == Item.meeting_id)
        .join(Series, Series.id == Meeting.series_id)
        .where(Item.speaker_id == person.id)
        .order_by(Series.title, Series.id, Meeting.number, Item.position, Item.id)
    )
    if series_ids is not None:
        query = query.where(Meeting.series_id.in_(series_ids))
    wanted: dict[int, list[int]] = {}
    for item_id, meeting_id in db.session.execute(query):
        wanted.setdefault(meeting_id, []).append(item_id)
    if not wanted:
        return []
    meetings = db.session.scalars(
        sa.select(Meeting).options(selectinload(Meeting.series)).where(Meeting.id.in_(wanted))
    ).all()
    by_id = {m.id: m for m in meetings}
    grouped: list[SeriesItems] = []
    for meeting_id, item_ids in wanted.items():
        meeting = by_id[meeting_id]
        found = _read_items(meeting, item_ids, for_facilitator)
        if not found:
            continue
        if not grouped or grouped[-1].series.id != meeting.series_id:
            grouped.append(SeriesItems(meeting.series))
        grouped[-1].meetings.append(MeetingItems(meeting, found))
    return grouped


def _read_items(
    meeting: Meeting, item_ids: list[int], for_facilitator: bool
) -> list[AttributedItem]:
    audiences = [Audience.MEMBER, Audience.PUBLIC]
    if for_facilitator:
        audiences.append(Audience.FACILITATOR)
    views = meeting_views(meeting, *audiences)
    members = {i.id: i for i in views[Audience.MEMBER].items}
    public = {i.id: i for i in views[Audience.PUBLIC].items}
    facilitators: dict[int, DisclosedItem] = {}
    if for_facilitator:
        facilitators = {i.id: i for i in views[Audience.FACILITATOR].items}
    found = []
    for item_id in item_ids:
        if not for_facilitator and item_id not in members:
            continue
        found.append(
            AttributedItem(
                id=item_id,
                member=members.get(item_id),
                public=public.get(item_id),
                facilitator=facilitators.get(item_id),
            )
        )
    return found


def meetings_of(grouped: Iterable[SeriesItems]) -> list[Meeting]:
    return [m.meeting for s in grouped for m in s.meetings]


# --- scopes and the level in force --------------------------------------------


@dataclass(frozen=True)
class ScopeChoice:
    """A scope a grant can be made for, with the key its form field posts."""

    key: str
    label: str
    series: Series | None = None
    meeting: Meeting | None = None

    @property
    def scope(self) -> Scope:
        return Scope(series=self.series, meeting=self.meeting)


def everywhere() -> ScopeChoice:
    return ScopeChoice(EVERYWHERE, "Everywhere")


def series_choice(series: Series, named: str = "") -> ScopeChoice:
    """``named``: how the series is told apart from others offered with it."""
    return ScopeChoice(
        f"series-{series.id}", f"Every meeting of {named or series.title}", series=series
    )


def meeting_choice(meeting: Meeting, series_named: str = "") -> ScopeChoice:
    return ScopeChoice(
        f"meeting-{meeting.id}",
        f"Meeting {meeting.number} of {series_named or meeting.series.title}: {meeting.title}",
        meeting=meeting,
    )


def scope_choices(
    series: Iterable[Series], meetings: Iterable[Meeting], grants: Iterable[Consent] = ()
) -> list[ScopeChoice]:
    """Everywhere, then each series, then each meeting (in series order), with
    the scopes of ``grants`` added so a standing grant can always be seen."""
    all_series = {s.id: s for s in series}
    all_meetings = {m.id: m for m in meetings}
    for grant in grants:
        if grant.series is not None:
            all_series.setdefault(grant.series.id, grant.series)
        if grant.meeting is not None:
            all_meetings.setdefault(grant.meeting.id, grant.meeting)
    named = series_labels([*all_series.values(), *(m.series for m in all_meetings.values())])
    choices = [everywhere()]
    choices += [
        series_choice(s, named[s.id])
        for s in sorted(all_series.values(), key=lambda s: (fold(s.title), s.id))
    ]
    choices += [
        meeting_choice(m, named[m.series_id])
        for m in sorted(
            all_meetings.values(), key=lambda m: (fold(m.series.title), m.series_id, m.number)
        )
    ]
    return choices


def member_scope_choices(
    member: Member, grouped: Sequence[SeriesItems], person: Person
) -> list[ScopeChoice]:
    """What a member may set consent for: everywhere, the series they belong
    to or spoke in, the meetings they spoke at, and wherever they hold a grant."""
    series = list(member.series) + [s.series for s in grouped]
    return scope_choices(series, meetings_of(grouped), active_grants(person))


def all_scope_choices(person: Person) -> list[ScopeChoice]:
    """What a facilitator may record consent for: everywhere, every series,
    every meeting."""
    series = db.session.scalars(sa.select(Series)).all()
    meetings = db.session.scalars(sa.select(Meeting).options(selectinload(Meeting.series))).all()
    return scope_choices(series, meetings, active_grants(person))


@dataclass(frozen=True)
class LevelInForce:
    """The level one audience gets in one scope, and the grant it comes from
    (None: nothing granted, so anonymous). For members, ``public`` is the
    public's level there: members never read less than it, so when it is the
    stronger, ``source`` is the public's grant (``raised``)."""

    choice: ScopeChoice
    level: Level
    source: Consent | None
    reads_as: str
    audience: ConsentAudience = ConsentAudience.PUBLIC
    public: Level | None = None

    @property
    def set_here(self) -> bool:
        if self.source is None or self.raised:
            return False
        return (self.source.series_id, self.source.meeting_id) == (
            self.choice.series.id if self.choice.series else None,
            self.choice.meeting.id if self.choice.meeting else None,
        )

    @property
    def raised(self) -> bool:
        """The members' level here is the public's, which releases more
        than anything granted to members."""
        return self.source is not None and self.source.audience != self.audience

    @property
    def floor(self) -> str:
        """ "public: affiliation, so members: at least affiliation" for a
        members' row where the public's level is not anonymous; else ""."""
        if self.public is None or self.public is Level.ANONYMOUS:
            return ""
        return f"public: {self.public.value}, so members: at least {self.public.value}"


def levels_in_force(
    person: Person, choices: Sequence[ScopeChoice]
) -> dict[ConsentAudience, list[LevelInForce]]:
    """For each audience and scope: the level in force there and the grant it
    comes from, by the same rule as ``disclose`` (narrowest, then latest; for
    members never weaker than the public), else anonymous."""
    consents = active_grants(person)
    grants = [grant_facts(consent) for consent in consents]
    facts = person_facts(person)
    table: dict[ConsentAudience, list[LevelInForce]] = {}
    for audience in ConsentAudience:
        rows = []
        for choice in choices:
            meeting = choice.meeting
            where = {
                "series_id": meeting.series_id if meeting is not None else _id(choice.series),
                "meeting_id": _id(meeting),
            }
            level, decided = level_in_force(grants, person.id, audience, **where)
            source = next((c for c, g in zip(consents, grants, strict=True) if g is decided), None)
            public = None
            if audience is ConsentAudience.MEMBER:
                public, _grant = level_in_force(grants, person.id, ConsentAudience.PUBLIC, **where)
            reads_as = attribution(facts, level)
            rows.append(LevelInForce(choice, level, source, reads_as, audience, public))
        table[audience] = rows
    return table


def _id(row: Series | Meeting | None) -> int | None:
    return row.id if row is not None else None


@dataclass(frozen=True)
class LevelExample:
    level: Level
    reads_as: str
    falls_back: bool  # the person has not given what this level would show


def level_examples(person: Person) -> list[LevelExample]:
    """Each level as it would credit ``person``, from their own details."""
    facts = person_facts(person)
    return [
        LevelExample(level, attribution(facts, level), released_level(facts, level) != level)
        for level in Level
    ]


# --- people ----------------------------------------------------------------


def search_people(query: str) -> list[Person]:
    """People whose name contains ``query`` (ignoring case and accents)."""
    wanted = fold(query or "")
    people = db.session.scalars(sa.select(Person).options(selectinload(Person.member))).all()
    found = [p for p in people if wanted in fold(p.name)] if wanted else list(people)
    return sorted(found, key=lambda p: (fold(p.name), p.id))


def own_grant(person: Person, consent_id: int) -> Consent | None:
    """Consent ``consent_id`` if it belongs to ``person``, else None."""
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id:
        return None
    return consent


# --- one grant in context ------------------------------------------------------


def grant_scope_label(consent: Consent) -> str:
    """'everywhere', 'every meeting of …' or 'meeting 3 of …'."""
    return Scope(series=consent.series, meeting=consent.meeting).label


def choice_for(consent: Consent) -> ScopeChoice:
    if consent.meeting is not None:
        return meeting_choice(consent.meeting)
    if consent.series is not None:
        return series_choice(consent.series)
    return everywhere()


def in_force(
    person: Person, consent: Consent, audience: ConsentAudience | None = None
) -> LevelInForce:
    """The level in force now for ``consent``'s audience (or ``audience``)
    and scope."""
    table = levels_in_force(person, [choice_for(consent)])
    return table[audience or consent.audience][0]


def narrower_grants(person: Person, consent: Consent) -> list[Consent]:
    """Active grants for the same audience that override ``consent`` somewhere
    inside its scope (a series or meeting grant under an everywhere grant...)."""
    if consent.meeting_id is not None:
        return []
    found = []
    for grant in active_grants(person):
        if grant.id == consent.id or grant.audience != consent.audience:
            continue
        if consent.series_id is None:
            inside = grant.series_id is not None or grant.meeting_id is not None
        else:
            inside = grant.meeting is not None and grant.meeting.series_id == consent.series_id
        if inside:
            found.append(grant)
    return found


@dataclass(frozen=True)
class HistoryRow:
    """One grant in a person's history; ``replaced``: a later grant for the
    same audience and scope took its place (rather than a withdrawal)."""

    consent: Consent
    replaced: bool


def history_rows(person: Person) -> list[HistoryRow]:
    """Every grant ever made for ``person``, newest first."""
    rows = history(person)
    starts = {(c.audience, c.series_id, c.meeting_id, c.granted_at) for c in rows}
    return [
        HistoryRow(
            c,
            c.withdrawn_at is not None
            and (c.audience, c.series_id, c.meeting_id, c.withdrawn_at) in starts,
        )
        for c in rows
    ]
