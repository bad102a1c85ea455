"""The iCalendar feeds: public fields only, text escaped and folded so any
title parses back as itself, times in the meeting's own zone (across changes
of the clocks too), stable UIDs, and nothing from the notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, MeetingStatus, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from notesbase.publishing.calendar.feed import one_line

FEED = "/series/cop/calendar.ics"
LONDON = ZoneInfo("Europe/London")
PLANTED = "Zebedee Quartermaine"
SECRET = "Project Nightjar will close in March"


@pytest.fixture
def cop(make_series):
    return make_series("cop", "Community of Practice")


def add_meeting(app, series, number: int, title: str = "A meeting", **fields) -> int:
    with app.app_context():
        meeting = Meeting(
            series=db.session.get(Series, series.id),
            number=number,
            title=title,
            date=fields.pop("date", date(2025, 6, 10)),
            **fields,
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def feed(client, path: str = FEED) -> tuple[bytes, Calendar]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    return body, Calendar.from_ical(body)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_feed_of_a_series(app, client, cop, make_series):
    """Each meeting of the series, with summary, stable UID, URL and status."""
    future = date.today() + timedelta(days=30)
    first = add_meeting(
        app,
        cop,
        10,
        "Data in the open",
        date=future,
        start_time=time(14, 0),
        registration_url="https://tickets.example.org/10",
    )
    second = add_meeting(app, cop, 9, "Held before", date=date(2025, 1, 8), start_time=time(9))
    other = make_series("other", "Other Series")
    add_meeting(app, other, 1, "Not in this feed")
    body, calendar = feed(client)
    assert str(calendar["x-wr-calname"]) == "Community of Practice"
    found = events(calendar)
    assert set(found) == {f"meeting-{first}@localhost", f"meeting-{second}@localhost"}
    event = found[f"meeting-{first}@localhost"]
    assert str(event["summary"]) == "Meeting 10: Data in the open"
    assert str(event["url"]) == "https://tickets.example.org/10"
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == datetime.combine(future, time(14), tzinfo=LONDON)
    past = found[f"meeting-{second}@localhost"]
    assert str(past["url"]) == "http://localhost/series/cop/meetings/9"
    assert b"Not in this feed" not in body
    # The same request twice gives the same bytes: subscribers see no churn.
    assert client.get(FEED).get_data() == body


def test_all_series_feed(app, client, cop, make_series):
    other = make_series("other", "Other Series")
    add_meeting(app, cop, 1, "From cop")
    add_meeting(app, other, 1, "From other")
    _body, calendar = feed(client, "/calendar.ics")
    summaries = sorted(str(e["summary"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Meeting 1: From cop", "Meeting 1: From other"]


def test_unknown_series_is_404(client):
    assert client.get("/series/nope/calendar.ics").status_code == 404


def test_an_empty_series_is_a_valid_calendar(client, cop):
    body, calendar = feed(client)
    assert calendar.walk("VEVENT") == []
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")


HOSTILE = [
    "Line one\r\nATTENDEE:mailto:everyone@example.org",
    "Commas, semicolons; and back\\slashes\\n too",
    "Bare\rreturn and\nnewline and\ttab",
    "Ünïcödé 🙂 " * 14 + "end",
    "Ω" * 190,
    '"Quoted" <b>html</b> & ampersand:colon',
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_parse_back_as_themselves(app, client, cop, title):
    """Any title is escaped and folded: it parses back as itself (on one
    line), no line is over 75 octets, no character is cut, nothing is injected."""
    add_meeting(app, cop, 1, title, start_time=time(18, 30))
    body, calendar = feed(client)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == f"Meeting 1: {one_line(title)}"
    assert "\n" not in str(event["summary"]) and "\r" not in str(event["summary"])
    body.decode("utf-8")  # strict: folding never splits a character
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert not any(line.startswith(b"ATTENDEE") for line in lines)
    assert b"\r" not in body.replace(b"\r\n", b"")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert "ATTENDEE" not in event


def dtstart_end(client) -> tuple[datetime, datetime, Calendar]:
    _body, calendar = feed(client)
    (event,) = calendar.walk("VEVENT")
    return event.decoded("dtstart"), event.decoded("dtend"), calendar


@pytest.mark.parametrize(
    ("day", "start", "zone", "local_start", "local_end", "written_in"),
    [
        # Clocks go forward at 01:00 GMT: 90 minutes after 00:30 is 03:00 BST.
        (date(2025, 3, 30), time(0, 30), "Europe/London", time(0, 30), time(3, 0), "zone"),
        # Clocks go back at 02:00 BST: 01:00 comes twice (the first, BST, is
        # meant), so it is written in UTC; 90 minutes on is 01:30 GMT.
        (date(2025, 10, 26), time(1, 0), "Europe/London", time(1, 0), time(1, 30), "UTC"),
        # 01:30 does not exist that morning: it is 02:30 BST.
        (date(2025, 3, 30), time(1, 30), "Europe/London", time(2, 30), time(4, 0), "zone"),
        (date(2025, 7, 9), time(14, 0), "Europe/London", time(14, 0), time(15, 30), "zone"),
        (date(2025, 3, 9), time(1, 0), "America/New_York", time(1, 0), time(3, 30), "zone"),
        (date(2025, 11, 2), time(1, 15), "America/New_York", time(1, 15), time(1, 45), "UTC"),
        (date(2025, 1, 15), time(19, 0), "Australia/Sydney", time(19, 0), time(20, 30), "zone"),
    ],
)
def test_times_across_changes_of_the_clocks(
    app, client, cop, day, start, zone, local_start, local_end, written_in
):
    """DTSTART in the meeting's zone (in UTC when its wall time comes twice);
    DTEND 90 minutes of real time later."""
    add_meeting(app, cop, 1, date=day, start_time=start, timezone=zone)
    begins, ends, calendar = dtstart_end(client)
    assert str(begins.tzinfo) == (zone if written_in == "zone" else "UTC")
    assert begins.astimezone(ZoneInfo(zone)).time() == local_start
    # The instant meant: a wall time that comes twice is its first occurrence.
    meant = datetime.combine(day, start, tzinfo=ZoneInfo(zone))
    assert begins.astimezone(UTC) == meant.astimezone(UTC)
    assert ends.astimezone(ZoneInfo(zone)).time() == local_end
    assert ends.astimezone(UTC) - begins.astimezone(UTC) == timedelta(minutes=90)
    zones = [str(vtimezone["tzid"]) for vtimezone in calendar.walk("VTIMEZONE")]
    assert zones == ([zone] if written_in == "zone" else [])


def test_a_start_and_end_in_the_repeated_hour_are_in_utc(app, client, cop):
    """01:00 BST on the night the clocks go back, for 90 minutes: both are
    wall times that come twice that night, so both are written in UTC:
    DTSTART 00:00Z (the first 01:00, BST) and DTEND 01:30Z (the second 01:30)."""
    add_meeting(app, cop, 1, date=date(2025, 10, 26), start_time=time(1), timezone="Europe/London")
    body, _calendar = feed(client)
    assert b"DTSTART:20251026T000000Z\r\n" in body
    assert b"DTEND:20251026T013000Z\r\n" in body
    assert b"TZID=Europe/London:20251026" not in body


def test_the_zone_table_gives_the_right_offsets(app, client, cop):
    """A client that reads only the VTIMEZONE (not its own zone database)
    gets the same instants: summer in BST, winter in GMT."""
    add_meeting(app, cop, 1, date=date(2025, 7, 9), start_time=time(14), timezone="Europe/London")
    add_meeting(app, cop, 2, date=date(2025, 12, 9), start_time=time(14), timezone="Europe/London")
    body, _calendar = feed(client)
    text = body.decode()
    assert "DTSTART;TZID=Europe/London:20250709T140000" in text
    assert "DTSTART;TZID=Europe/London:20251209T140000" in text
    assert "TZOFFSETTO:+0100" in text and "TZOFFSETTO:+0000" in text


def test_all_day_when_no_start_time(app, client, cop):
    add_meeting(app, cop, 1, date=date(2025, 9, 3))
    body, calendar = feed(client)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == date(2025, 9, 3)
    assert event.decoded("dtend") == date(2025, 9, 4)
    assert b"DTSTART;VALUE=DATE:20250903" in body


def test_unknown_zone_falls_back_to_the_default(app, client, cop):
    add_meeting(app, cop, 1, start_time=time(10), timezone="Mars/Olympus_Mons")
    begins, _ends, _calendar = dtstart_end(client)
    assert str(begins.tzinfo) == "Europe/London"


def test_duration_is_configurable(app, client, cop):
    app.config["CALENDAR_DEFAULT_DURATION_MINUTES"] = 45
    add_meeting(app, cop, 1, start_time=time(10))
    begins, ends, _calendar = dtstart_end(client)
    assert ends - begins == timedelta(minutes=45)


@pytest.mark.parametrize("bad", ["soon", 0, -5, 100000, None])
def test_a_bad_duration_setting_falls_back(app, client, cop, bad):
    app.config["CALENDAR_DEFAULT_DURATION_MINUTES"] = bad
    add_meeting(app, cop, 1, start_time=time(10))
    begins, ends, _calendar = dtstart_end(client)
    assert ends - begins == timedelta(minutes=90)


def test_cancelled_meetings(app, client, cop):
    """A cancelled meeting stays in the feed, marked, with no registration link."""
    add_meeting(
        app,
        cop,
        1,
        date=date.today() + timedelta(days=10),
        status=MeetingStatus.CANCELLED,
        registration_url="https://tickets.example.org/1",
    )
    _body, calendar = feed(client)
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert str(event["url"]) == "http://localhost/series/cop/meetings/1"


def test_only_web_registration_links(app, client, cop):
    """A registration "link" that is not http(s) is never offered."""
    add_meeting(
        app,
        cop,
        1,
        date=date.today() + timedelta(days=3),
        registration_url="javascript:alert(1)",
    )
    _body, calendar = feed(client)
    (event,) = calendar.walk("VEVENT")
    assert str(event["url"]) == "http://localhost/series/cop/meetings/1"


def test_sequence_and_last_modified_follow_changes(app, client, cop):
    """A change raises SEQUENCE and moves LAST-MODIFIED; the UID stays."""
    meeting_id = add_meeting(app, cop, 1, "Before")
    stamp = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.updated_at = stamp
        db.session.commit()
    (before,) = feed(client)[1].walk("VEVENT")
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.title = "After"
        meeting.updated_at = stamp + timedelta(hours=1)
        db.session.commit()
    (after,) = feed(client)[1].walk("VEVENT")
    assert before.decoded("last-modified") == stamp
    assert after.decoded("last-modified") == stamp + timedelta(hours=1)
    assert int(after["sequence"]) - int(before["sequence"]) == 3600
    assert str(after["uid"]) == str(before["uid"]) == f"meeting-{meeting_id}@localhost"
    assert str(after["summary"]) == "Meeting 1: After"


def test_a_real_edit_raises_the_sequence(app, client, cop):
    """Through the model's own timestamp: an edit never lowers SEQUENCE."""
    meeting_id = add_meeting(app, cop, 1, "Before")
    (before,) = feed(client)[1].walk("VEVENT")
    with app.app_context():
        db.session.get(Meeting, meeting_id).title = "After"
        db.session.commit()
    (after,) = feed(client)[1].walk("VEVENT")
    assert int(after["sequence"]) >= int(before["sequence"])
    assert after.decoded("last-modified") >= before.decoded("last-modified")


def test_nothing_from_the_notes_or_beyond_the_public_fields(app, client, cop):
    """Speakers' names and confidential text in the notes, the speakers field
    and the description never reach the feed."""
    meeting_id = add_meeting(
        app,
        cop,
        1,
        "Open title",
        start_time=time(18),
        speakers="Dr Prudence Speakerly",
        description="An agenda that names Ignatius Describer.",
        theme="A theme",
    )
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        person = create_person(PersonFields(PLANTED, "Quillfeather Holdings"), actor=None)
        create_item(meeting, ItemFields(Kind.QUOTE, f"{PLANTED} spoke", "", person.id), actor=None)
        create_item(
            meeting,
            ItemFields(Kind.DECISION, SECRET, "", None, Confidentiality.CONFIDENTIAL),
            actor=None,
        )
        db.session.commit()
    for path in (FEED, "/calendar.ics"):
        body, _calendar = feed(client, path)
        text = body.decode().replace("\r\n ", "").casefold()
        for term in (PLANTED, "Quartermaine", "Quillfeather", SECRET, "Speakerly", "Describer"):
            assert term.casefold() not in text, (path, term)
        assert "open title" in text


def test_a_long_series_is_all_there(app, client, cop):
    """Sixty meetings: every one of them is in the feed."""
    with app.app_context():
        series = db.session.get(Series, cop.id)
        db.session.add_all(
            Meeting(series=series, number=n, title=f"M{n}", date=date(2024, 1, 1) + timedelta(n))
            for n in range(1, 61)
        )
        db.session.commit()
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))
    _body, calendar = feed(client)
    assert len(calendar.walk("VEVENT")) == count == 60


def test_polls_of_an_unchanged_feed_are_304(app, client, cop):
    """The feed has an ETag; the same meetings answer 304, a change 200."""
    meeting_id = add_meeting(app, cop, 1, "Before")
    first = client.get(FEED)
    etag = first.headers["ETag"]
    assert "max-age=300" in first.headers["Cache-Control"]
    again = client.get(FEED, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    with app.app_context():
        db.session.get(Meeting, meeting_id).title = "After"
        db.session.commit()
    changed = client.get(FEED, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"After" in changed.get_data()
