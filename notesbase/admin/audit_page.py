"""What the admin's audit page reads: the filter's choices, the filter as a
query, and each event as a row (when, in the reader's time zone; who; what,
in words).

Times are shown in one zone for the whole page: the one the reader picks,
else the zone the series' meetings are held in (the most used one), else
``DEFAULT_TIMEZONE``. A date filter means whole days in that zone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import url_for
from wtforms.fields import SelectChoice

from notesbase import audit
from notesbase.admin.audit_names import Link, Names
from notesbase.admin.audit_words import GROUPS, WORDINGS, Part, sentence
from notesbase.admin.forms import AuditFilterForm
from notesbase.db import db
from notesbase.meetings.timeline import DEFAULT_TIMEZONE, is_known_timezone, timezone_label
from notesbase.models import AuditEvent, Meeting, Member

PAGE_SIZE = 50
# The "who" filter's values for events no member did.
BY_COMMAND_LINE = "command-line"
BY_VISITOR = "visitor"
UTC_ZONE = "UTC"


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    when: datetime  # in the page's time zone
    who: Link
    what: list[Part]


def _meeting_zones() -> list[tuple[str, int]]:
    """Each time zone the meetings use, with how many use it, most used first:
    the first is the series' zone, the page's default."""
    count = sa.func.count(Meeting.id)
    rows = db.session.execute(
        sa.select(Meeting.timezone, count)
        .group_by(Meeting.timezone)
        .order_by(count.desc(), Meeting.timezone)
    ).all()
    return [(name, n) for name, n in rows if is_known_timezone(name)]


def filter_form(args: object) -> AuditFilterForm:
    """The filter as the reader sent it, with its choices filled in."""
    form = AuditFilterForm(formdata=args)
    form.actor.choices = actor_choices()
    form.action.choices = action_choices()
    zones = [name for name, _ in _meeting_zones()]
    form.tz.data = form.tz.data or (zones[0] if zones else DEFAULT_TIMEZONE)
    form.tz.choices = timezone_choices(form.tz.data, zones)
    return form


def actor_choices() -> list[SelectChoice]:
    members = db.session.scalars(sa.select(Member).order_by(Member.display_name, Member.email))
    return [
        SelectChoice("", "Anyone"),
        SelectChoice(BY_COMMAND_LINE, "The command line"),
        SelectChoice(BY_VISITOR, "Visitors (not logged in)"),
        *(SelectChoice(str(m.id), f"{m.display_name} ({m.email})") for m in members),
    ]


def action_choices() -> list[SelectChoice]:
    """Everything, then each group (all of it, then each action by name)."""
    choices = [SelectChoice("", "Everything")]
    for key, label in GROUPS.items():
        choices.append(SelectChoice(key, f"All: {label.lower()}", optgroup=label))
        in_group = sorted((w.label, a) for a, w in WORDINGS.items() if w.group == key)
        choices += [SelectChoice(action, name, optgroup=label) for name, action in in_group]
    return choices


def timezone_choices(chosen: str, zones: list[str]) -> list[SelectChoice]:
    """The zones the meetings use (most used first), the default, UTC and the chosen one."""
    zones = list(zones)
    for extra in (DEFAULT_TIMEZONE, UTC_ZONE, chosen):
        if extra not in zones:
            zones.append(extra)
    return [SelectChoice(name, timezone_label(name)) for name in zones]


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def event_filter(form: AuditFilterForm) -> audit.EventFilter:
    """The query a valid filter form asks for (``filter_form`` chose the zone)."""
    zone = ZoneInfo(form.tz.data)
    actor = form.actor.data or ""
    action = form.action.data or ""
    if action in GROUPS:
        actions: frozenset[str] | None = frozenset(
            a for a, w in WORDINGS.items() if w.group == action
        )
    else:
        actions = frozenset({action}) if action else None
    return audit.EventFilter(
        actor_id=int(actor) if actor.isdigit() else None,
        actor_label={BY_COMMAND_LINE: audit.COMMAND_LINE, BY_VISITOR: audit.VISITOR}.get(actor),
        actions=actions,
        since=_start_of(form.since.data, zone) if form.since.data else None,
        until=_start_of(form.until.data + timedelta(days=1), zone) if form.until.data else None,
    )


def _who(event: AuditEvent) -> Link:
    if event.actor is None:
        return Link(event.actor_label)
    return Link(
        f"{event.actor.display_name} ({event.actor_label})",
        url_for("admin.member", member_id=event.actor.id),
    )


def rows(events: Sequence[AuditEvent], zone_name: str) -> list[Row]:
    zone = ZoneInfo(zone_name)
    names = Names(events)
    return [Row(e, e.at.astimezone(zone), _who(e), sentence(e, names)) for e in events]
