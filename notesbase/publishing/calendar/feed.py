"""Meetings as iCalendar (RFC 5545), by the ``icalendar`` library: it escapes
text, folds long lines at 75 octets without splitting a character, and writes
the VTIMEZONE of every zone used. No Flask here: addresses come in as
functions, so the rules can be tested on their own.

Public fields only: number and title, date and time in the meeting's own
zone, status, and the registration link (or the public page). Never the
description, speakers, notes or anyone's name from them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from notesbase.meetings import timeline
from notesbase.models import Meeting, MeetingStatus

PRODID = "-//notesbase//Meetings calendar//EN"
DEFAULT_DURATION_MINUTES = 90
# SEQUENCE counts seconds from here: it rises with every change, as RFC 5545
# asks, and fits a 32-bit integer for decades.
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
REFRESH = timedelta(hours=12)
# Control characters (line breaks included) have no place in a one-line name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class FeedSettings:
    """How the feed reads: ``uid_domain`` keeps UIDs stable per deployment;
    ``meeting_url`` is the public page of a meeting (absolute)."""

    name: str
    uid_domain: str
    meeting_url: Callable[[Meeting], str]
    duration: timedelta = timedelta(minutes=DEFAULT_DURATION_MINUTES)


def one_line(text: str) -> str:
    """``text`` on one line: control characters become single spaces."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def summary(meeting: Meeting) -> str:
    """'Meeting 10: Title'."""
    return one_line(f"Meeting {meeting.number}: {meeting.title}")


def repeated(local: datetime) -> bool:
    """Whether the wall time of ``local`` (a real instant in its zone) comes
    twice that night: the hour the clocks go back."""
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def as_written(local: datetime) -> datetime:
    """How a time goes in the feed: in the meeting's zone, except a time in
    the hour the clocks go back, which is written in UTC. RFC 5545 reads such
    a local time as its first occurrence, and calendar programs (khal,
    vobject) read it either way: only UTC names one instant for all."""
    return local.astimezone(UTC) if repeated(local) else local


def starts(meeting: Meeting) -> datetime | date:
    """When the meeting starts in its own zone; its date alone when no start
    time is known. A wall time that does not exist (the hour clocks skip) is
    moved on to the time it really is; one that comes twice is the first."""
    if meeting.start_time is None:
        return meeting.date
    zone = timeline.zone(meeting.timezone)
    wall = datetime.combine(meeting.date, meeting.start_time, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)


def ends(start: datetime | date, duration: timedelta) -> datetime | date:
    """The end: ``duration`` of real time later (across a change of the clocks
    too), in the start's zone, or the next day for a meeting with no start
    time."""
    if not isinstance(start, datetime):
        return start + timedelta(days=1)
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def sequence(meeting: Meeting) -> int:
    updated = meeting.updated_at or SEQUENCE_EPOCH
    return max(0, int((updated - SEQUENCE_EPOCH).total_seconds()))


def event_url(meeting: Meeting, settings: FeedSettings, now: datetime) -> str:
    """The registration link while it is offered, else the public page."""
    return timeline.registration_link(meeting, now) or settings.meeting_url(meeting)


def meeting_event(meeting: Meeting, settings: FeedSettings, now: datetime) -> Event:
    event = Event()
    start = starts(meeting)
    stamp = meeting.updated_at or now
    event.add("uid", f"meeting-{meeting.id}@{settings.uid_domain}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", sequence(meeting))
    event.add("summary", summary(meeting))
    end = ends(start, settings.duration)
    event.add("dtstart", as_written(start) if isinstance(start, datetime) else start)
    event.add("dtend", as_written(end) if isinstance(end, datetime) else end)
    event.add("url", event_url(meeting, settings, now))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def feed(meetings: Sequence[Meeting], settings: FeedSettings, now: datetime) -> bytes:
    """The iCalendar text of ``meetings``, with a VTIMEZONE for each zone
    covering the years the meetings span."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", one_line(settings.name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property is text to icalendar unless given as a duration (a bare
    # timedelta came out as "12:00:00", which no client reads).
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, settings, now))
    if meetings:
        first = min(m.date for m in meetings) - timedelta(days=366)
        last = max(m.date for m in meetings) + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())
