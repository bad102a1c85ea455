"""The leak check as a facilitator reads it: one entry per thing found.

The check reports a finding per place and channel (``check``); the page
shows, for the channels that share an audience, one entry per rule and
words found ("Alex", a name), with every place it is at: the item (with a
link to edit it), the summary, the meeting's details or a part of the
output, and on one short line the channels and parts carrying it there.
Beside each place: the quick fixes (``fixes``), and one override
covering that place on every channel listed, as it reads now (an item at
its version): an edit, or the same words at another place, asks again.

The places that still stand come first. A thing found at many places (a
name in hundreds of items) shows its first ``ACTED_ON`` with their fixes and
overrides, and lists the rest compactly, each with its link: the entry asked
for whole (``expand``, by its ``ident``) shows every place with its actions.
So the page stays short, and the quick fixes, which render an item again
for each place, are worked out only for the places shown with them."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for

from notesbase.db import db
from notesbase.disclosure import Audience
from notesbase.models import Item, LeakOverride, Meeting, Person
from notesbase.publishing.leakcheck.check import CHANNELS, Channel, Finding, LeakReport
from notesbase.publishing.leakcheck.fixes import Fix, hiding_level, offered
from notesbase.publishing.leakcheck.keys import match_key, where_order
from notesbase.publishing.leakcheck.places import MEETING_LABEL

AUDIENCE_HEADINGS = {
    Audience.PUBLIC: "What the public receives",
    Audience.MEMBER: "What members of the series receive",
}
PEOPLE_RULES = frozenset({"name", "affiliation", "descriptor", "email"})
# Places of an entry shown with their quick fixes and override, unless the
# entry is asked for whole: the rest are listed with their links only.
ACTED_ON = 3
Reports = Sequence[tuple[Channel, LeakReport]]


@dataclass
class PlaceRow:
    """One place a thing was found at, on the channels that carry it there."""

    where: str
    item: Item | None = None
    link: str | None = None
    version: int | None = None  # the item's content version it was found at
    seen: list[tuple[Channel, Finding]] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)

    @property
    def standing(self) -> list[tuple[Channel, Finding]]:
        return [(channel, finding) for channel, finding in self.seen if finding.override is None]

    @property
    def overrides(self) -> list[LeakOverride]:
        rows = [finding.override for _channel, finding in self.seen if finding.override]
        return list({row.id: row for row in rows}.values())

    @property
    def findings_value(self) -> str:
        """What the override form sends: each standing finding as channel:key."""
        return " ".join(f"{channel.name}:{finding.key}" for channel, finding in self.standing)

    @property
    def carried(self) -> list[tuple[str, list[str]]]:
        """Each channel carrying it here, with the parts it is in."""
        return [(channel.label, finding.carried) for channel, finding in self.seen]


@dataclass
class Entry:
    """One thing found (a rule and its words) and every place it is at;
    ``whole``: every place is shown with its actions, not the first
    ``ACTED_ON`` only."""

    rule: str
    match: str
    why: str
    places: list[PlaceRow] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    audience: Audience = Audience.PUBLIC
    whole: bool = False

    @property
    def standing(self) -> bool:
        return any(place.standing for place in self.places)

    @property
    def ident(self) -> str:
        """Names the entry in a link (``?entry=``) without its words, which
        stay out of addresses and logs."""
        named = f"{self.audience.value}\0{self.rule}\0{match_key(self.match)}"
        return hashlib.blake2b(named.encode(), digest_size=8).hexdigest()

    @property
    def acted(self) -> list[PlaceRow]:
        """The places shown with their quick fixes and override."""
        return self.places if self.whole else self.places[:ACTED_ON]

    @property
    def listed(self) -> list[PlaceRow]:
        """The places listed with their links only."""
        return self.places[len(self.acted) :]

    @property
    def listed_standing(self) -> int:
        return sum(1 for place in self.listed if place.standing)


@dataclass
class AudienceChecks:
    """The reports of the channels that share an audience, as entries."""

    audience: Audience
    reports: list[tuple[Channel, LeakReport]]
    entries: list[Entry]

    @property
    def heading(self) -> str:
        label = self.audience.label.lower()
        return AUDIENCE_HEADINGS.get(self.audience, f"What {label} receive")

    @property
    def standing(self) -> int:
        return sum(1 for entry in self.entries if entry.standing)

    def standing_on(self, channel: str) -> int:
        """How many entries still stand on one of these channels."""
        return sum(
            1
            for entry in self.entries
            if any(c.name == channel for place in entry.places for c, _f in place.standing)
        )


def _place_link(meeting: Meeting, where: str, item: Item | None) -> str | None:
    slug, number = meeting.series.slug, meeting.number
    if item is not None:
        return url_for("notes.edit_item", slug=slug, number=number, item_id=item.id)
    if where == "summary":
        return url_for("writeups.edit", slug=slug, number=number)
    if where == MEETING_LABEL:
        return url_for("meetings.edit_meeting", slug=slug, number=number)
    return None


def _items(ids: Iterable[int]) -> dict[int, Item]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(Item).where(Item.id.in_(wanted)))}


def _people(ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = db.session.scalars(sa.select(Person).where(Person.id.in_(wanted)))
    return {row.id: row for row in rows}


def entries(
    meeting: Meeting,
    reports: Reports,
    members_too: frozenset[tuple[str, str, str]] = frozenset(),
    expand: Collection[str] = (),
    refused: str | None = None,
) -> list[Entry]:
    """One entry per rule and words found in ``reports`` (channels of one
    audience), each with its places in order, those that still stand
    first. ``members_too`` holds the (rule, words, place) members may not
    see either, so a quick fix for the public hides them from members too.
    Shown whole: the entries whose ``ident`` is in ``expand``, and the one
    holding the place whose override form sent ``refused`` (its
    ``findings_value``: refused, so shown again with its message)."""
    findings = [(channel, finding) for channel, report in reports for finding in report.findings]
    items = _items(f.item_id for _c, f in findings if f.item_id is not None)
    people = _people(person for _c, f in findings for person in f.people)
    audience = reports[0][1].audience if reports else Audience.PUBLIC
    found: dict[tuple[str, str], Entry] = {}
    # Each entry's places by where they are, and each place's link: a first
    # name may be found at every item of a long meeting, for every entry.
    rows: dict[tuple[str, str, str], PlaceRow] = {}
    links: dict[tuple[str, int | None], str | None] = {}
    for channel, finding in findings:
        words = match_key(finding.match)
        entry = found.get((finding.rule, words))
        if entry is None:
            entry = Entry(finding.rule, finding.match, finding.why, audience=audience)
            found[(finding.rule, words)] = entry
        place = rows.get((finding.rule, words, finding.where))
        if place is None:
            item = items.get(finding.item_id) if finding.item_id is not None else None
            at = (finding.where, item.id if item is not None else None)
            if at not in links:
                links[at] = _place_link(meeting, finding.where, item)
            place = PlaceRow(finding.where, item, links[at], finding.version)
            rows[(finding.rule, words, finding.where)] = place
            entry.places.append(place)
        place.seen.append((channel, finding))
        for person_id in finding.people:
            person = people.get(person_id)
            if person is not None and person not in entry.people:
                entry.people.append(person)
    for entry in found.values():
        entry.places.sort(key=lambda place: (not place.standing, where_order(place.where)))
        entry.whole = entry.ident in expand or (
            bool(refused) and any(place.findings_value == refused for place in entry.places)
        )
        for place in entry.acted:  # an overridden place is offered nothing
            if place.item is not None and place.standing:
                match = place.seen[0][1].match  # as typed at this place
                strict = (entry.rule, match_key(match), place.where) in members_too
                place.fixes = offered(place.item, entry.rule, match, hiding_level(audience, strict))
    return sorted(found.values(), key=lambda e: (_first_place(e), e.rule))


def _first_place(entry: Entry) -> tuple[object, ...]:
    return min(where_order(place.where) for place in entry.places)


def by_audience(
    meeting: Meeting,
    reports: Reports,
    expand: Collection[str] = (),
    refused: str | None = None,
) -> list[AudienceChecks]:
    """``reports`` gathered by audience (the public first), as entries
    (``expand`` and ``refused``: see ``entries``)."""
    order = list(Audience)
    audiences = sorted({report.audience for _c, report in reports}, key=order.index)
    hidden_from_members = frozenset(
        (finding.rule, match_key(finding.match), finding.where)
        for _channel, report in reports
        if report.audience is Audience.MEMBER
        for finding in report.findings
    )
    checks = []
    for audience in audiences:
        mine = [(c, r) for c, r in reports if r.audience is audience]
        members_too = hidden_from_members if audience is Audience.PUBLIC else frozenset()
        found = entries(meeting, mine, members_too, expand, refused)
        checks.append(AudienceChecks(audience, mine, found))
    return checks


def checks_for(report_or_reports: LeakReport | Reports) -> list[AudienceChecks]:
    """For a template: one report (the write-up's, the email's) or several."""
    if isinstance(report_or_reports, LeakReport):
        reports: Reports = [(CHANNELS[report_or_reports.channel], report_or_reports)]
    else:
        reports = report_or_reports
    if not reports:
        return []
    meeting = db.session.get(Meeting, reports[0][1].meeting_id)
    if meeting is None:
        return []
    return by_audience(meeting, reports)
