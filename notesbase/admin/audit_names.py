"""Names and links for what the events of one audit page point at.

The log keeps ids and safe values only; names are looked up now, a few
queries per page, so a renamed person shows their current name and a deleted
thing shows its id. The audit page is for admins, who hold every
facilitator's powers: what is named here (members, invitations, people,
meetings, series) they may read elsewhere too. No note text is ever read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.models import AuditEvent, Invite, Item, Meeting, Member, Person, Series
from notesbase.series_names import series_labels


@dataclass(frozen=True)
class Link:
    """A thing named in an event's sentence, linked while it still exists."""

    text: str
    url: str | None = None


# Details that name a thing by id, and what kind of thing.
ID_DETAILS = {
    "member_id": "member",
    "speaker_id": "person",
    "person_id": "person",
    "series_id": "series",
}


def _by_id(model: Any, ids: set[int], *options: Any) -> dict[int, Any]:
    if not ids:
        return {}
    query = sa.select(model).where(model.id.in_(sorted(ids))).options(*options)
    return {row.id: row for row in db.session.scalars(query)}


def _wanted(events: Iterable[AuditEvent]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.target_id is not None:
            wanted[event.target_type].add(event.target_id)
        if event.meeting_id is not None:
            wanted["meeting"].add(event.meeting_id)
        for key, kind in ID_DETAILS.items():
            value = (event.details or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                wanted[kind].add(value)
    return wanted


class Names:
    """What the events of one page point at, loaded once."""

    def __init__(self, events: Sequence[AuditEvent]) -> None:
        wanted = _wanted(events)
        self.members = _by_id(Member, wanted["member"])
        self.people = _by_id(Person, wanted["person"])
        self.invites = _by_id(Invite, wanted["invite"])
        self.items = _by_id(Item, wanted["item"], selectinload(Item.meeting))
        wanted["meeting"] |= {item.meeting_id for item in self.items.values()}
        self.meetings = _by_id(Meeting, wanted["meeting"])
        every_series = list(db.session.scalars(sa.select(Series)))
        self.series = {s.id: s for s in every_series}
        self.series_by_slug = {s.slug: s for s in every_series}
        self.series_label = series_labels(every_series)

    def member(self, member_id: Any) -> Link:
        found = self.members.get(member_id) if isinstance(member_id, int) else None
        if found is None:
            return Link(f"account #{member_id}" if member_id is not None else "no account")
        return Link(
            f"{found.display_name} ({found.email})",
            url_for("admin.member", member_id=found.id),
        )

    def person(self, person_id: Any) -> Link:
        found = self.people.get(person_id) if isinstance(person_id, int) else None
        if found is None:
            return Link(f"person #{person_id}")
        return Link(found.name, url_for("consent.person", person_id=found.id))

    def invite(self, invite_id: Any) -> Link:
        found = self.invites.get(invite_id) if isinstance(invite_id, int) else None
        if found is None:
            return Link(f"invitation #{invite_id}")
        return Link(found.email, url_for("admin.invite"))

    def series_named(self, slug_or_id: Any) -> Link:
        """A series by its slug (as account events keep them) or its id."""
        if isinstance(slug_or_id, int) and not isinstance(slug_or_id, bool):
            found = self.series.get(slug_or_id)
        else:
            found = self.series_by_slug.get(str(slug_or_id))
        if found is None:
            return Link(f"series {slug_or_id}")
        return Link(self.series_label[found.id], url_for("meetings.series", slug=found.slug))

    def meeting(self, meeting_id: Any) -> Link:
        found = self.meetings.get(meeting_id) if isinstance(meeting_id, int) else None
        if found is None:
            return Link(f"meeting #{meeting_id}" if meeting_id is not None else "a meeting")
        series = self.series[found.series_id]
        return Link(
            f"meeting {found.number} of {self.series_label[series.id]}",
            url_for("meetings.meeting", slug=series.slug, number=found.number),
        )

    def item(self, item_id: Any) -> Link:
        """An item by its place in the notes now (never its text)."""
        found = self.items.get(item_id) if isinstance(item_id, int) else None
        if found is None:
            return Link(f"item #{item_id}")
        series = self.series[found.meeting.series_id]
        return Link(
            f"item {found.position}",
            url_for(
                "notes.edit_item",
                slug=series.slug,
                number=found.meeting.number,
                item_id=found.id,
            ),
        )

    def meeting_page(self, meeting_id: Any, endpoint: str, anchor: str = "") -> str | None:
        """The address of one of a meeting's pages (write-up, circulation)."""
        found = self.meetings.get(meeting_id) if isinstance(meeting_id, int) else None
        if found is None:
            return None
        url = url_for(endpoint, slug=self.series[found.series_id].slug, number=found.number)
        return f"{url}#{anchor}" if anchor else url
