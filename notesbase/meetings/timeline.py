"""When a meeting is upcoming, and how its date and time read: pure rules with
no Flask and no database, so the public pages and the tests agree on them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from notesbase.models import MeetingStatus

DEFAULT_TIMEZONE = "Europe/London"
# Friendly names for the zones a network is likely to use; others show the key.
TIMEZONE_NAMES = {"Europe/London": "UK time"}


class Dated(Protocol):
    """What these rules read from a meeting."""

    date: date
    start_time: time | None
    timezone: str
    status: MeetingStatus
    number: int
    registration_url: str | None


M = TypeVar("M", bound=Dated)


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """Every IANA time zone key this machine knows (the ``tzdata`` package at least)."""
    return frozenset(available_timezones())


def is_known_timezone(name: str) -> bool:
    return name in known_timezones()


def zone(name: str) -> ZoneInfo:
    """The zone named, or the default one for a name this machine does not know."""
    try:
        return ZoneInfo(name) if is_known_timezone(name) else ZoneInfo(DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_today(now: datetime, timezone: str) -> date:
    """The date it is at ``now`` where the meeting takes place."""
    return now.astimezone(zone(timezone)).date()


def settled_status(status: MeetingStatus, day: date, today: date) -> MeetingStatus:
    """The one status rule, for every page, the API, the form and the importer:
    a meeting is upcoming only until its day has passed; dated before ``today``
    and never cancelled, it was held, whatever it was marked. Held and
    cancelled stay as they are."""
    if status == MeetingStatus.UPCOMING and day < today:
        return MeetingStatus.HELD
    return status


def status_of(meeting: Dated, now: datetime) -> MeetingStatus:
    """The meeting's status at ``now``, judged on its day in its own time zone
    (a meeting stored as upcoming whose day has passed reads held)."""
    return settled_status(meeting.status, meeting.date, local_today(now, meeting.timezone))


def is_upcoming(meeting: Dated, now: datetime) -> bool:
    """Still to come: not held, not cancelled, and dated today or later (in its
    own time zone). A meeting stays upcoming for the whole of its day."""
    return status_of(meeting, now) == MeetingStatus.UPCOMING


def registration_link(meeting: Dated, now: datetime) -> str | None:
    """The registration link, offered only while the meeting is upcoming, and
    only an http(s) address (imported data may hold anything)."""
    url = (meeting.registration_url or "").strip()
    if not is_upcoming(meeting, now) or urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def display_status(meeting: Dated, now: datetime) -> tuple[str, str]:
    """(css key, label) for the status badge: Upcoming, Held or Cancelled,
    the words of the meeting form and the API's ``status``."""
    status = status_of(meeting, now)
    return status.value, status.label


def split_timeline(meetings: Iterable[M], now: datetime) -> tuple[list[M], list[M]]:
    """(upcoming soonest first, past latest first)."""
    upcoming: list[M] = []
    past: list[M] = []
    for meeting in meetings:
        (upcoming if is_upcoming(meeting, now) else past).append(meeting)
    upcoming.sort(key=lambda m: (m.date, m.start_time or time.min, m.number))
    past.sort(key=lambda m: (m.date, m.start_time or time.min, m.number), reverse=True)
    return upcoming, past


PAST_PER_PAGE = 24


class NoSuchPage(LookupError):
    """A page of a series' past meetings that is not there."""


@dataclass(frozen=True)
class PastPage(Generic[M]):
    """One page of a series' past meetings, latest first: a series of
    hundreds of meetings is read (and drawn) a page at a time."""

    meetings: list[M]
    number: int
    pages: int
    total: int

    @classmethod
    def of(cls, past: Sequence[M], asked: str | None) -> PastPage[M]:
        """Page ``asked`` (from the address: "1" when absent) of ``past``;
        ``NoSuchPage`` for anything but a page that is there."""
        pages = max(1, -(-len(past) // PAST_PER_PAGE))
        text = (asked or "1").strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= pages:
            raise NoSuchPage(f"pages of past meetings run from 1 to {pages}")
        number = int(text)
        start = (number - 1) * PAST_PER_PAGE
        return cls(list(past[start : start + PAST_PER_PAGE]), number, pages, len(past))

    @property
    def first_index(self) -> int:
        """The position (from 1, latest first) of the page's first meeting."""
        return (self.number - 1) * PAST_PER_PAGE + 1


def timezone_label(name: str) -> str:
    """'UK time / Europe/London' for a zone with a friendly name, else the key."""
    friendly = TIMEZONE_NAMES.get(name)
    return f"{friendly} / {name}" if friendly else name


def clock(value: time) -> str:
    """'2pm', '2:30pm' (the same wording as the templates' ``clock`` filter)."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def long_date(value: date) -> str:
    """'Wednesday 9 July 2025'."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def long_when(meeting: Dated) -> str:
    """'Wednesday 9 July 2025, 2pm (UK time / Europe/London)'; the date alone
    when no start time is known."""
    day = long_date(meeting.date)
    if meeting.start_time is None:
        return day
    return f"{day}, {clock(meeting.start_time)} ({timezone_label(meeting.timezone)})"
