"""The pure rules of when a meeting is upcoming and how its time reads; and the
service turning a lost unique-constraint race into a clear conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.meetings import service, timeline
from notesbase.models import MeetingStatus, Series


@dataclass
class M:
    number: int
    date: date
    status: MeetingStatus = MeetingStatus.UPCOMING
    start_time: time | None = None
    timezone: str = "Europe/London"
    registration_url: str | None = "https://example.org/register"


NOW = datetime(2025, 7, 9, 23, 30, tzinfo=UTC)  # 00:30 on 10 July in London


def test_today_is_the_meeting_zone_s_today():
    """A meeting's day is judged in its own time zone, not in UTC."""
    assert not timeline.is_upcoming(M(1, date(2025, 7, 9)), NOW)  # already the 10th in London
    assert timeline.is_upcoming(M(1, date(2025, 7, 9), timezone="America/New_York"), NOW)
    assert timeline.is_upcoming(M(1, date(2025, 7, 10)), NOW)


@pytest.mark.parametrize(
    ("status", "day", "badge"),
    [
        (MeetingStatus.UPCOMING, date(2025, 7, 20), ("upcoming", "Upcoming")),
        (MeetingStatus.UPCOMING, date(2025, 7, 1), ("held", "Held")),
        (MeetingStatus.HELD, date(2025, 7, 1), ("held", "Held")),
        (MeetingStatus.CANCELLED, date(2025, 7, 20), ("cancelled", "Cancelled")),
        (MeetingStatus.CANCELLED, date(2025, 7, 1), ("cancelled", "Cancelled")),
    ],
)
def test_display_status(status, day, badge):
    """The badge says Upcoming, Held or Cancelled (the form's words): a meeting
    marked upcoming whose date has gone reads Held."""
    assert timeline.display_status(M(1, day, status), NOW) == badge
    assert badge[1] == timeline.status_of(M(1, day, status), NOW).label


@pytest.mark.parametrize(
    ("status", "day", "settled"),
    [
        (MeetingStatus.UPCOMING, date(2025, 7, 9), MeetingStatus.HELD),
        (MeetingStatus.UPCOMING, date(2025, 7, 10), MeetingStatus.UPCOMING),
        (MeetingStatus.UPCOMING, date(2025, 8, 1), MeetingStatus.UPCOMING),
        (MeetingStatus.HELD, date(2025, 7, 1), MeetingStatus.HELD),
        (MeetingStatus.CANCELLED, date(2025, 7, 1), MeetingStatus.CANCELLED),
        (MeetingStatus.CANCELLED, date(2025, 8, 1), MeetingStatus.CANCELLED),
    ],
)
def test_settled_status(status, day, settled):
    """Upcoming lasts to the end of the meeting's day, then it was held; held
    and cancelled stay as they are."""
    assert timeline.settled_status(status, day, date(2025, 7, 10)) == settled


def test_split_orders_both_halves():
    """Upcoming soonest first; past latest first; same day ordered by start time."""
    meetings = [
        M(1, date(2025, 1, 1), MeetingStatus.HELD),
        M(4, date(2025, 9, 1)),
        M(3, date(2025, 8, 1)),
        M(2, date(2025, 3, 1), MeetingStatus.HELD),
        M(5, date(2025, 8, 1), MeetingStatus.CANCELLED),
    ]
    upcoming, past = timeline.split_timeline(meetings, NOW)
    assert [m.number for m in upcoming] == [3, 4]
    assert [m.number for m in past] == [5, 2, 1]


@pytest.mark.parametrize(
    ("url", "status", "day", "expected"),
    [
        ("https://zoom.example/r", MeetingStatus.UPCOMING, date(2025, 8, 1), True),
        ("HTTP://zoom.example/r", MeetingStatus.UPCOMING, date(2025, 8, 1), True),
        ("javascript:alert(1)", MeetingStatus.UPCOMING, date(2025, 8, 1), False),
        ("https://zoom.example/r", MeetingStatus.CANCELLED, date(2025, 8, 1), False),
        ("https://zoom.example/r", MeetingStatus.UPCOMING, date(2025, 7, 1), False),
        (None, MeetingStatus.UPCOMING, date(2025, 8, 1), False),
    ],
)
def test_registration_link(url, status, day, expected):
    """The registration link is offered only while upcoming, and only as http(s)."""
    meeting = M(1, day, status, registration_url=url)
    assert (timeline.registration_link(meeting, NOW) is not None) is expected


def test_long_when():
    """The long form names the day, the time and the time zone."""
    meeting = M(10, date(2025, 7, 9), start_time=time(14, 0))
    assert timeline.long_when(meeting) == "Wednesday 9 July 2025, 2pm (UK time / Europe/London)"
    meeting = M(1, date(2025, 7, 9), start_time=time(9, 5), timezone="Asia/Tokyo")
    assert timeline.long_when(meeting) == "Wednesday 9 July 2025, 9:05am (Asia/Tokyo)"
    assert timeline.long_when(M(1, date(2025, 7, 9))) == "Wednesday 9 July 2025"


def test_unknown_time_zone_falls_back():
    """A stored zone this machine does not know is read as London time, not an error."""
    assert timeline.local_today(NOW, "Nowhere/Else") == date(2025, 7, 10)
    assert not timeline.is_known_timezone("../etc/passwd")


def test_lost_race_on_slug_becomes_a_conflict(app, make_series):
    """A duplicate slug reaching the database becomes a Conflict on the field, and the
    session stays usable."""
    make_series("cop", "Community of Practice")
    with app.app_context():
        db.session.add(Series(slug="cop", title="Duplicate"))
        with pytest.raises(service.Conflict) as raised:
            service._flush(service.Conflict("slug", "taken"))
        assert raised.value.field == "slug"
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Series)) == 1
