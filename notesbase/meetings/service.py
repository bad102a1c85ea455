"""Reading and writing series and meetings. Writers flush and never commit:
the caller (a view or a command) commits or rolls back at its boundary."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import nh3
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.markdown import render_markdown
from notesbase.meetings import timeline
from notesbase.meetings.topics import get_or_create_topics
from notesbase.models import (
    Item,
    Meeting,
    MeetingFormat,
    MeetingStatus,
    Series,
    Topic,
    meeting_topics,
    utcnow,
)
from notesbase.text import clean_line, clean_text


class Conflict(ValueError):
    """The input clashes with what is stored; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class SeriesFields:
    slug: str
    title: str
    description: str = ""


@dataclass
class MeetingFields:
    number: int
    title: str
    date: date
    start_time: time | None = None
    timezone: str = timeline.DEFAULT_TIMEZONE
    format: MeetingFormat | None = None
    status: MeetingStatus = MeetingStatus.UPCOMING
    theme: str = ""
    topics: Sequence[str] = ()
    speakers: str = ""
    registration_url: str | None = None
    description: str = ""
    chatham_house: bool = True


@dataclass
class SeriesSummary:
    series: Series
    excerpt: str
    meeting_count: int
    next_meeting: Meeting | None


# --- reading ---------------------------------------------------------------


def excerpt(markdown_text: str, limit: int = 240) -> str:
    """The first paragraph of a Markdown text as plain text, cut at a word."""
    first = (markdown_text or "").strip().split("\n\n", 1)[0]
    text = html.unescape(nh3.clean(str(render_markdown(first)), tags=set()))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def series_by_slug(slug: str) -> Series | None:
    if "\x00" in slug:  # PostgreSQL refuses NUL in text: no series has one
        return None
    return db.session.scalar(sa.select(Series).where(Series.slug == slug))


def meeting_by_number(series: Series, number: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.series_id == series.id, Meeting.number == number)
        .options(selectinload(Meeting.topics))
    )


def series_summaries(now: datetime) -> list[SeriesSummary]:
    """Every series with its meeting count and next upcoming meeting, by title."""
    all_series = db.session.scalars(sa.select(Series)).all()
    counts = dict(
        db.session.execute(
            sa.select(Meeting.series_id, sa.func.count(Meeting.id)).group_by(Meeting.series_id)
        ).all()
    )
    # A day's margin either side of UTC covers every time zone's "today".
    candidates = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.status == MeetingStatus.UPCOMING,
            Meeting.date >= now.date() - timedelta(days=1),
        )
    ).all()
    upcoming: dict[int, list[Meeting]] = {}
    for meeting in candidates:
        upcoming.setdefault(meeting.series_id, []).append(meeting)
    summaries = []
    for series in sorted(all_series, key=lambda s: (s.title.casefold(), s.slug)):
        soonest, _past = timeline.split_timeline(upcoming.get(series.id, []), now)
        summaries.append(
            SeriesSummary(
                series=series,
                excerpt=excerpt(series.description),
                meeting_count=counts.get(series.id, 0),
                next_meeting=soonest[0] if soonest else None,
            )
        )
    return summaries


def series_timeline(series: Series, now: datetime) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming soonest first, past latest first) for one series, their
    topics not loaded: a series page shows one page of them (``with_topics``)."""
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.series_id == series.id)).all()
    return timeline.split_timeline(meetings, now)


def with_topics(meetings: Sequence[Meeting]) -> None:
    """Load the topics of ``meetings`` in one query."""
    if meetings:
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.id.in_([meeting.id for meeting in meetings]))
            .options(selectinload(Meeting.topics))
        ).all()


def neighbours(meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The meetings numbered just before and just after this one in its series."""
    in_series = sa.select(Meeting).where(Meeting.series_id == meeting.series_id)
    before = db.session.scalar(
        in_series.where(Meeting.number < meeting.number).order_by(Meeting.number.desc()).limit(1)
    )
    after = db.session.scalar(
        in_series.where(Meeting.number > meeting.number).order_by(Meeting.number).limit(1)
    )
    return before, after


def has_notes(meeting: Meeting, *, confidential_too: bool) -> bool:
    """Whether the notes page would show the reader at least one item: members
    never see confidential items, so those alone are no notes to them."""
    query = sa.select(Item.id).where(Item.meeting_id == meeting.id)
    if not confidential_too:
        query = query.where(Item.confidentiality != Confidentiality.CONFIDENTIAL)
    return db.session.scalar(query.limit(1)) is not None


def topic_counts() -> list[tuple[Topic, int]]:
    """Every topic with how many meetings carry it, by name."""
    rows = db.session.execute(
        sa.select(Topic, sa.func.count(meeting_topics.c.meeting_id))
        .outerjoin(meeting_topics, meeting_topics.c.topic_id == Topic.id)
        .group_by(Topic.id)
    ).all()
    pairs = [(topic, int(count)) for topic, count in rows]
    return sorted(pairs, key=lambda pair: (pair[0].name.casefold(), pair[0].slug))


def topic_by_slug(slug: str) -> Topic | None:
    return db.session.scalar(sa.select(Topic).where(Topic.slug == slug))


def meetings_on_topic(topic: Topic) -> list[Meeting]:
    """The meetings on a topic across all series, latest first."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .join(meeting_topics, meeting_topics.c.meeting_id == Meeting.id)
            .where(meeting_topics.c.topic_id == topic.id)
            .options(selectinload(Meeting.series), selectinload(Meeting.topics))
            .order_by(Meeting.date.desc(), Meeting.series_id, Meeting.number.desc())
        )
    )


def next_free_number(series: Series) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Meeting.number)).where(Meeting.series_id == series.id)
    )
    return (highest or 0) + 1


# --- writing ---------------------------------------------------------------


def _check_slug_free(slug: str, keep: Series | None = None) -> None:
    query = sa.select(Series.id).where(Series.slug == slug)
    if keep is not None:
        query = query.where(Series.id != keep.id)
    if db.session.scalar(query) is not None:
        raise Conflict("slug", f"Another series already uses the slug '{slug}'.")


def _check_number_free(series: Series, number: int, keep: Meeting | None = None) -> None:
    query = sa.select(Meeting.id).where(Meeting.series_id == series.id, Meeting.number == number)
    if keep is not None:
        query = query.where(Meeting.id != keep.id)
    if db.session.scalar(query) is not None:
        raise Conflict(
            "number",
            f"This series already has a meeting {number}; "
            f"the next free number is {next_free_number(series)}.",
        )


def _flush(conflict: Conflict) -> None:
    """Flush; a unique constraint lost to a concurrent writer becomes ``conflict``."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise conflict from error


def create_series(fields: SeriesFields) -> Series:
    _check_slug_free(fields.slug)
    series = Series(
        slug=fields.slug, title=clean_line(fields.title), description=clean_text(fields.description)
    )
    db.session.add(series)
    _flush(Conflict("slug", f"Another series already uses the slug '{fields.slug}'."))
    return series


def update_series(series: Series, fields: SeriesFields) -> Series:
    _check_slug_free(fields.slug, keep=series)
    series.slug = fields.slug
    series.title = clean_line(fields.title)
    series.description = clean_text(fields.description)
    _flush(Conflict("slug", f"Another series already uses the slug '{fields.slug}'."))
    return series


def _apply(meeting: Meeting, fields: MeetingFields, topics: list[Topic], now: datetime) -> None:
    meeting.number = fields.number
    meeting.title = clean_line(fields.title)
    meeting.date = fields.date
    meeting.start_time = fields.start_time
    meeting.timezone = fields.timezone
    meeting.format = fields.format
    meeting.status = timeline.settled_status(
        fields.status, fields.date, timeline.local_today(now, fields.timezone)
    )
    meeting.theme = clean_line(fields.theme)
    meeting.topics = topics
    meeting.speakers = clean_text(fields.speakers)
    meeting.registration_url = fields.registration_url or None
    meeting.description = clean_text(fields.description)
    meeting.chatham_house = fields.chatham_house


def status_note(meeting: Meeting, asked: MeetingStatus) -> str | None:
    """What to tell whoever saved ``meeting`` as ``asked`` when the status rule
    (``timeline.settled_status``) saved it otherwise; None when it did not."""
    if meeting.status == asked:
        return None
    return (
        f"Meeting {meeting.number} is dated before today, so it is saved as held, "
        f"not upcoming: a meeting is upcoming only until its day has passed."
    )


def _number_taken(series: Series, number: int) -> Conflict:
    return Conflict("number", f"This series already has a meeting {number}.")


def create_meeting(
    series: Series, fields: MeetingFields, *, now: datetime | None = None
) -> Meeting:
    """A new meeting, its status settled by the status rule at ``now``
    (``timeline.settled_status``; see ``status_note``)."""
    _check_number_free(series, fields.number)
    topics = get_or_create_topics(fields.topics)  # flushes: before the meeting is pending
    meeting = Meeting()
    _apply(meeting, fields, topics, now or utcnow())
    meeting.series = series
    db.session.add(meeting)
    _flush(_number_taken(series, fields.number))
    return meeting


def update_meeting(meeting: Meeting, fields: MeetingFields) -> Meeting:
    _check_number_free(meeting.series, fields.number, keep=meeting)
    _apply(meeting, fields, get_or_create_topics(fields.topics), utcnow())
    _flush(_number_taken(meeting.series, fields.number))
    return meeting
