"""Public pages: the series, each series' timeline, each meeting, and topics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from notesbase.access import current_member
from notesbase.meetings import overview, service, timeline
from notesbase.meetings.shown import page_fields
from notesbase.models import Meeting, Series, Topic, utcnow

bp = Blueprint("meetings", __name__)


@bp.app_context_processor
def meeting_helpers() -> dict[str, Any]:
    """For any template showing meetings (``meetings/_macros.html``): the time
    rules, whether the reader may manage series (the facilitator links), and
    a meeting's theme, speakers and description as the reader may see them."""
    member = current_member()
    now = utcnow()
    return {
        "can_manage_meetings": member is not None and member.is_facilitator,
        "meeting_status": lambda m: timeline.display_status(m, now),
        "meeting_when": timeline.long_when,
        "meeting_fields": page_fields,
    }


def load_series(slug: str) -> Series:
    series = service.series_by_slug(slug)
    if series is None:
        abort(404)
    return series


def load_meeting(series: Series, number: int) -> Meeting:
    meeting = service.meeting_by_number(series, number)
    if meeting is None:
        abort(404)
    return meeting


def load_topic(slug: str) -> Topic:
    topic = service.topic_by_slug(slug)
    if topic is None:
        abort(404)
    return topic


@bp.route("/")
def index() -> str:
    return render_template("meetings/index.html", summaries=service.series_summaries(utcnow()))


@bp.route("/series/<slug>")
def series(slug: str) -> str:
    found = load_series(slug)
    now = utcnow()
    upcoming, past = service.series_timeline(found, now)
    try:
        shown = timeline.PastPage.of(past, request.args.get("page"))
    except timeline.NoSuchPage:
        abort(404)
    upcoming = upcoming if shown.number == 1 else []
    service.with_topics([*upcoming, *shown.meetings])
    return render_template(
        "meetings/series.html",
        series=found,
        upcoming=upcoming,
        past=shown.meetings,
        past_page=shown,
        overview=overview.theme_overview([*upcoming, *shown.meetings], now),
    )


@bp.route("/series/<slug>/meetings/<int:number>")
def meeting(slug: str, number: int) -> str:
    found = load_meeting(load_series(slug), number)
    before, after = service.neighbours(found)
    member = current_member()
    return render_template(
        "meetings/meeting.html",
        meeting=found,
        series=found.series,
        before=before,
        after=after,
        registration_url=timeline.registration_link(found, utcnow()),
        has_notes=service.has_notes(
            found, confidential_too=member is not None and member.is_facilitator
        ),
    )


@bp.route("/topics/")
def topics() -> str:
    return render_template("meetings/topics.html", topic_counts=service.topic_counts())


@bp.route("/topics/<slug>")
def topic(slug: str) -> str:
    found = load_topic(slug)
    return render_template(
        "meetings/topic.html", topic=found, meetings=service.meetings_on_topic(found)
    )
