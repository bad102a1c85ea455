"""What the admin's audit page needs beyond ``notesbase.audit.recent``: the
action prefixes in the log, and a readable name and link for each target.

Names are looked up now rather than copied into the log, so the log itself
keeps ids and safe values only (and never any note text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.models import AuditEvent, Invite, Meeting, Member, Person


@dataclass(frozen=True)
class Target:
    label: str
    url: str | None = None


def action_prefixes() -> list[str]:
    """The first word of every action in the log ("item.", "consent.")."""
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    return sorted({action.split(".", 1)[0] + "." for action in actions})


def _by_id(model: type, ids: set[int]) -> dict[int, object]:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def targets(events: Sequence[AuditEvent]) -> dict[int, Target]:
    """For each event id: what it acted on, as a name with a link where the
    thing still exists, else its type and id."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_id is not None:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    members = _by_id(Member, wanted.get("member", set()))
    people = _by_id(Person, wanted.get("person", set()))
    invites = _by_id(Invite, wanted.get("invite", set()))
    meeting_ids = {e.meeting_id for e in events if e.meeting_id is not None}
    meeting_ids |= wanted.get("meeting", set())
    meetings = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Meeting)
            .options(selectinload(Meeting.series))
            .where(Meeting.id.in_(meeting_ids or {-1}))
        )
    }
    found: dict[int, Target] = {}
    for event in events:
        if event.target_id is None:  # e.g. a failed login naming no account
            target = Target(f"{event.target_type}: none")
        else:
            target = Target(f"{event.target_type} #{event.target_id}")
        thing = None
        if event.target_id is not None:
            thing = {"member": members, "person": people, "invite": invites}.get(
                event.target_type, {}
            ).get(event.target_id)
        if isinstance(thing, Member):
            target = Target(
                f"{thing.display_name} ({thing.email})",
                url_for("admin.member", member_id=thing.id),
            )
        elif isinstance(thing, Person):
            target = Target(f"person: {thing.name}", url_for("consent.person", person_id=thing.id))
        elif isinstance(thing, Invite):
            target = Target(f"invitation to {thing.email}", url_for("admin.invite"))
        meeting = meetings.get(event.meeting_id or -1)
        if meeting is None and event.target_type == "meeting":
            meeting = meetings.get(event.target_id or -1)
        if meeting is not None:
            where = f"meeting {meeting.number} of {meeting.series.title}"
            target = Target(
                f"{target.label}, {where}" if event.target_type != "meeting" else where,
                target.url
                or url_for("meetings.meeting", slug=meeting.series.slug, number=meeting.number),
            )
        found[event.id] = target
    return found
