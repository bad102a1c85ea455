"""A series' retention schedule: reading and checking what a facilitator
asks for, storing it (audited), saying it in plain words, and which of a
series' meetings fall due. Flushes, never commits."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.models import Meeting, MeetingStatus, Member, RetentionAction, Series

MONTHS_MIN = 1
MONTHS_MAX = 600
# What a meeting already carried out covers: purge_notes leaves nothing for
# the others; purge_restricted and anonymise cover only themselves.
COVERS = {
    RetentionAction.PURGE_NOTES: frozenset(RetentionAction),
    RetentionAction.PURGE_RESTRICTED: frozenset({RetentionAction.PURGE_RESTRICTED}),
    RetentionAction.ANONYMISE: frozenset({RetentionAction.ANONYMISE}),
}


class ScheduleError(ValueError):
    """A schedule that cannot be stored: ``field`` and a message for the writer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Schedule:
    """None and None: keep the notes until the schedule changes."""

    months: int | None = None
    action: RetentionAction | None = None

    @property
    def keeps(self) -> bool:
        return self.months is None


def read_schedule(keep: object, months: object, action: object) -> Schedule:
    """The schedule a form or the API asks for, or ScheduleError. ``keep``
    true (or months and action both empty) means keep until changed."""
    if keep is True or (keep is None and months in (None, "") and action in (None, "")):
        return Schedule()
    if keep not in (None, False):
        raise ScheduleError("keep", "“keep” is true or false.")
    if isinstance(months, bool) or months in (None, ""):
        raise ScheduleError("months", "Give the number of months, from 1 to 600.")
    if isinstance(months, str):
        text = months.strip()
        if not text.isascii() or not text.isdigit():
            raise ScheduleError("months", "The months are a whole number, from 1 to 600.")
        months = int(text)
    if not isinstance(months, int):
        raise ScheduleError("months", "The months are a whole number, from 1 to 600.")
    if not MONTHS_MIN <= months <= MONTHS_MAX:
        raise ScheduleError("months", "The months are from 1 to 600 (fifty years).")
    try:
        chosen = RetentionAction(action) if isinstance(action, str) else None
    except ValueError:
        chosen = None
    if chosen is None:
        names = ", ".join(a.value for a in RetentionAction)
        raise ScheduleError("action", f"Choose what happens at the end: {names}.")
    return Schedule(months, chosen)


def schedule_of(series: Series) -> Schedule:
    return Schedule(series.retention_months, series.retention_action)


def set_schedule(series: Series, schedule: Schedule, *, actor: Member | None) -> bool:
    """Store ``schedule``; False when it is the one stored (nothing audited)."""
    before = schedule_of(series)
    if before == schedule:
        return False
    series.retention_months = schedule.months
    series.retention_action = schedule.action
    audit.record(
        "series.retention",
        "series",
        series.id,
        actor=actor,
        series_id=series.id,
        months=[before.months, schedule.months],
        retention=[_value(before.action), _value(schedule.action)],
    )
    db.session.flush()
    return True


def _value(action: RetentionAction | None) -> str | None:
    return action.value if action is not None else None


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, the last day of a shorter month where
    it has no such day (31 January + 1 month: 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_due_date(today: date, months: int) -> date:
    """The latest meeting date due on ``today``: the last ``day`` with
    ``add_months(day, months)`` on or before today."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    length = calendar.monthrange(year, month)[1]
    end_of_today_month = today.day == calendar.monthrange(today.year, today.month)[1]
    if end_of_today_month or today.day >= length:
        # Every later day of that month lands on today's (shorter) month's end.
        return date(year, month, length)
    return date(year, month, today.day)


def needs(applied: RetentionAction | None, action: RetentionAction) -> bool:
    """Whether a meeting that has had ``applied`` still needs ``action``."""
    return applied is None or action not in COVERS[applied]


def due_meetings_query(series: Series, today: date) -> sa.Select[tuple[Meeting]]:
    """The series' meetings due on ``today`` under its schedule, oldest first.
    Upcoming meetings (and those dated after the cut-off) never are."""
    schedule = schedule_of(series)
    if schedule.months is None or schedule.action is None:
        return sa.select(Meeting).where(sa.false())
    covering = [a for a, covered in COVERS.items() if schedule.action in covered]
    return (
        sa.select(Meeting)
        .where(
            Meeting.series_id == series.id,
            Meeting.status != MeetingStatus.UPCOMING,
            Meeting.date <= last_due_date(today, schedule.months),
            sa.or_(Meeting.retention_applied.is_(None), Meeting.retention_applied.not_in(covering)),
        )
        .order_by(Meeting.date, Meeting.number)
    )


def due_meetings(series: Series, today: date) -> list[Meeting]:
    return list(db.session.scalars(due_meetings_query(series, today)))


def describe(series: Series) -> str:
    """The schedule in plain words, for members on the series page."""
    schedule = schedule_of(series)
    if schedule.months is None or schedule.action is None:
        return (
            "The full notes of this series' meetings are kept until the facilitators"
            " decide otherwise."
        )
    period = _period(schedule.months)
    what = {
        RetentionAction.PURGE_RESTRICTED: (
            "the text only facilitators could read (confidential items and redacted passages)"
            " and every earlier version of the notes are removed"
        ),
        RetentionAction.ANONYMISE: (
            "the speakers are anonymised: their names, affiliations and descriptions are"
            " taken out of the notes and nothing links them to what they said"
        ),
        RetentionAction.PURGE_NOTES: (
            "the notes are removed for good; the meeting and its public write-up stay"
        ),
    }[schedule.action]
    return f"The full notes of each meeting are kept for {period} after it; then {what}."


def _period(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return "one year" if years == 1 else f"{years} years"
    return "one month" if months == 1 else f"{months} months"


def applied_before(series: Series) -> tuple[RetentionAction, date] | None:
    """The latest meeting date whose notes have had the series' current
    action carried out, for "meetings up to … have had … applied"."""
    action = series.retention_action
    if action is None:
        return None
    covering = [a for a, covered in COVERS.items() if action in covered]
    latest = db.session.scalar(
        sa.select(sa.func.max(Meeting.date)).where(
            Meeting.series_id == series.id, Meeting.retention_applied.in_(covering)
        )
    )
    return (action, latest) if latest is not None else None
