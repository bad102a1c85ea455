"""Every calendar the app serves, read by parsers that are not the one
that wrote it: by ``icalendar`` with no error tolerated and by ``vobject``
(validating), which must agree on every instant, including a meeting in the
hour the clocks go back and one in the hour they skip. (The Atom feeds are
read the same way in tests/publishing/writeups/test_writeup_feed_parsers.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import vobject
from icalendar import Calendar, Event, vDuration

from notesbase.db import db
from notesbase.models import Meeting, MeetingStatus, Series
from tests.publishing.writeups.writeup_support import build_world

LONDON = ZoneInfo("Europe/London")
# (series, number, day, start, zone, status): the instant each DTSTART must name.
MEETINGS = [
    # The last Sunday of October: 01:30 comes twice; the first (BST) is meant.
    ("cop", 3, date(2025, 10, 26), time(1, 30), "Europe/London", MeetingStatus.UPCOMING),
    # The last Sunday of March: 01:30 does not exist; it is 02:30 BST.
    ("cop", 4, date(2025, 3, 30), time(1, 30), "Europe/London", MeetingStatus.UPCOMING),
    ("cop", 5, date(2025, 7, 9), time(14, 0), "Europe/London", MeetingStatus.CANCELLED),
    ("cop", 6, date(2025, 9, 3), None, "Europe/London", MeetingStatus.UPCOMING),
    # New York's own repeated hour, in the other series.
    ("other", 2, date(2025, 11, 2), time(1, 30), "America/New_York", MeetingStatus.UPCOMING),
]


@pytest.fixture
def app_config():
    return {"SEARCH_APPLY_ON_COMMIT": False}


@pytest.fixture
def world(app, make_member, make_series):
    found = build_world(app, make_member, make_series)
    with app.app_context():
        for slug, number, day, start, zone, status in MEETINGS:
            series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
            db.session.add(
                Meeting(
                    series=series,
                    number=number,
                    title=f"Meeting {number} of {slug}",
                    date=day,
                    start_time=start,
                    timezone=zone,
                    status=status,
                )
            )
        db.session.commit()
    return found


def calendar_paths(app) -> list[str]:
    """Every calendar the app serves: all meetings, and each series'."""
    with app.app_context():
        slugs = db.session.scalars(sa.select(Series.slug).order_by(Series.slug)).all()
    return ["/calendar.ics", *(f"/series/{slug}/calendar.ics" for slug in slugs)]


def strictly(body: bytes, monkeypatch) -> Calendar:
    """``icalendar`` with nothing tolerated: an event property it cannot
    read raises, and no component may have set an error aside."""
    monkeypatch.setattr(Event, "ignore_exceptions", False)
    calendar = Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    return calendar


def expected_start(day: date, start: time | None, zone: str) -> datetime | date:
    if start is None:
        return day
    return datetime.combine(day, start, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def instant(value: datetime | date) -> datetime | date:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def test_every_calendar_reads_the_same_in_two_parsers(app, client, world, monkeypatch):
    """icalendar (strict) and vobject (validating) read each feed without a
    complaint and agree with each other, and with what was meant, on every
    start and end: the repeated hour's 01:30 is the first one, the skipped
    hour's 01:30 is 02:30 BST."""
    meant = {
        f"Meeting {number}: Meeting {number} of {slug}": expected_start(day, start, zone)
        for slug, number, day, start, zone, _status in MEETINGS
    }
    paths = calendar_paths(app)
    assert paths == ["/calendar.ics", "/series/cop/calendar.ics", "/series/other/calendar.ics"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        body = response.get_data()
        strict = {
            str(e["summary"]): (instant(e.decoded("dtstart")), instant(e.decoded("dtend")))
            for e in strictly(body, monkeypatch).walk("VEVENT")
        }
        parsed = vobject.readOne(body.decode("utf-8"), validate=True)
        loose = {
            e.summary.value: (instant(e.dtstart.value), instant(e.dtend.value))
            for e in parsed.vevent_list
        }
        assert strict == loose, path
        assert strict, path
        for summary, (start, _end) in strict.items():
            if summary in meant:
                assert start == meant[summary], (path, summary)
    autumn = strict_start(client, "/series/cop/calendar.ics", "Meeting 3", monkeypatch)
    assert autumn == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 01:30 BST
    spring = strict_start(client, "/series/cop/calendar.ics", "Meeting 4", monkeypatch)
    assert spring.astimezone(LONDON).time() == time(2, 30)


def strict_start(client, path: str, prefix: str, monkeypatch) -> datetime:
    calendar = strictly(client.get(path).get_data(), monkeypatch)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["summary"]).startswith(prefix + ":")]
    return event.decoded("dtstart").astimezone(UTC)


def test_a_repeated_wall_time_is_written_in_utc(client, world):
    """A start in the hour the clocks go back is the one local time readers
    disagree on (RFC 5545 says the first; khal and vobject read either):
    written in UTC, it names one instant for all. The others keep their zone."""
    body = client.get("/calendar.ics").get_data().decode()
    assert "DTSTART:20251026T003000Z\r\n" in body  # London 01:30, the first (BST)
    assert "DTSTART:20251102T053000Z\r\n" in body  # New York 01:30, the first (EDT)
    assert "DTSTART;TZID=Europe/London:20250330T023000\r\n" in body  # the skipped hour
    assert "DTSTART;TZID=Europe/London:20250709T140000\r\n" in body
    assert "TZID=Europe/London:20251026T01" not in body


def test_how_long_a_copy_may_be_kept_is_a_duration(client, world, monkeypatch):
    """X-PUBLISHED-TTL and REFRESH-INTERVAL are RFC 5545 durations (PT12H),
    which clients read, not "12:00:00", which they do not."""
    for path in calendar_paths(client.application):
        body = client.get(path).get_data().decode()
        lines = body.split("\r\n")
        assert "X-PUBLISHED-TTL:PT12H" in lines, path
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in lines, path
        calendar = strictly(body.encode(), monkeypatch)
        assert vDuration.from_ical(str(calendar["x-published-ttl"])) == timedelta(hours=12)
        parsed = vobject.readOne(body)
        assert vDuration.from_ical(parsed.contents["x-published-ttl"][0].value) == timedelta(
            hours=12
        )
