"""The calendar: an iCalendar feed of each series' meetings (and of all of
them), and the public "upcoming meetings" pages with their subscribe links.

All public: only the fields the public meeting page already shows (number,
title, date and time in the meeting's zone, status, registration link)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy.orm import selectinload

from notesbase import site
from notesbase.db import db
from notesbase.meetings import timeline
from notesbase.meetings.views import load_series
from notesbase.models import Meeting, MeetingStatus, Series, utcnow
from notesbase.publishing.calendar import feed as calendar_feed

bp = Blueprint("calendar", __name__)

DURATION_SETTING = "CALENDAR_DEFAULT_DURATION_MINUTES"
# Seconds a calendar app or proxy may keep the feed (a change shows within this).
FEED_MAX_AGE = 300


@dataclass(frozen=True)
class UpcomingMeeting:
    """One line of the upcoming page: the meeting, when it reads, its link."""

    meeting: Meeting
    when: str
    registration_url: str | None
    cancelled: bool


def duration() -> timedelta:
    """The configured length of a meeting in the feed (a bad value: 90 minutes)."""
    value = current_app.config.get(DURATION_SETTING, calendar_feed.DEFAULT_DURATION_MINUTES)
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = calendar_feed.DEFAULT_DURATION_MINUTES
    if not 1 <= minutes <= 24 * 60:
        minutes = calendar_feed.DEFAULT_DURATION_MINUTES
    return timedelta(minutes=minutes)


def meeting_url(meeting: Meeting) -> str:
    return site.url_for_site("meetings.meeting", slug=meeting.series.slug, number=meeting.number)


def meetings_of(series: Series | None) -> list[Meeting]:
    """Every meeting (of one series or all), by date."""
    query = sa.select(Meeting).options(selectinload(Meeting.series))
    if series is not None:
        query = query.where(Meeting.series_id == series.id)
    return list(db.session.scalars(query.order_by(Meeting.date, Meeting.number, Meeting.id)))


def start_instant(meeting: Meeting) -> datetime:
    """When a meeting starts, in UTC, for ordering meetings of several zones
    (a meeting with no time: the start of its day where it is held)."""
    wall = datetime.combine(
        meeting.date, meeting.start_time or time.min, tzinfo=timeline.zone(meeting.timezone)
    )
    return wall.astimezone(UTC)


def is_ahead(meeting: Meeting, now: datetime) -> bool:
    """Still to come, cancelled or not: upcoming or cancelled, dated today or
    later in its own zone (a held meeting is never ahead)."""
    return meeting.status in (
        MeetingStatus.UPCOMING,
        MeetingStatus.CANCELLED,
    ) and meeting.date >= timeline.local_today(now, meeting.timezone)


def upcoming(series: Series | None, now: datetime) -> list[UpcomingMeeting]:
    """Meetings still to come, soonest first, cancelled ones in their place."""
    query = (
        sa.select(Meeting)
        .options(selectinload(Meeting.series))
        .where(
            Meeting.status.in_([MeetingStatus.UPCOMING, MeetingStatus.CANCELLED]),
            # A day's margin either side of UTC covers every zone's "today".
            Meeting.date >= now.date() - timedelta(days=1),
        )
    )
    if series is not None:
        query = query.where(Meeting.series_id == series.id)
    ahead = [m for m in db.session.scalars(query) if is_ahead(m, now)]
    ahead.sort(key=lambda m: (start_instant(m), m.series.title.casefold(), m.number))
    return [
        UpcomingMeeting(
            meeting=m,
            when=timeline.long_when(m),
            registration_url=timeline.registration_link(m, now),
            cancelled=m.status == MeetingStatus.CANCELLED,
        )
        for m in ahead
    ]


def calendar_response(body: bytes, filename: str) -> Response:
    """The feed, with an ETag: calendar apps poll, and the same meetings give
    the same bytes, so most polls are answered 304 with no body."""
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers.set("Content-Disposition", "inline", filename=filename)
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def settings_for(name: str) -> calendar_feed.FeedSettings:
    return calendar_feed.FeedSettings(
        name=name, uid_domain=site.host(), meeting_url=meeting_url, duration=duration()
    )


@bp.route("/series/<slug>/calendar.ics")
def series_feed(slug: str) -> Response:
    series = load_series(slug)
    body = calendar_feed.feed(meetings_of(series), settings_for(series.title), utcnow())
    return calendar_response(body, f"{series.slug}.ics")


@bp.route("/calendar.ics")
def all_feed() -> Response:
    body = calendar_feed.feed(meetings_of(None), settings_for("All meetings"), utcnow())
    return calendar_response(body, "meetings.ics")


@bp.route("/upcoming")
def upcoming_all() -> str:
    all_series = db.session.scalars(sa.select(Series).order_by(Series.title, Series.slug)).all()
    return render_template(
        "calendar/upcoming.html",
        series=None,
        all_series=all_series,
        entries=upcoming(None, utcnow()),
    )


@bp.route("/series/<slug>/upcoming")
def upcoming_series(slug: str) -> str:
    series = load_series(slug)
    return render_template(
        "calendar/upcoming.html",
        series=series,
        all_series=[series],
        entries=upcoming(series, utcnow()),
    )
