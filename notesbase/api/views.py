"""Reading: series, their meetings' public details, and a meeting's notes as
the caller's audience sees them (members of the series and facilitators only;
everyone else gets exactly the public's answer, with no ``items`` key)."""

from __future__ import annotations

from flask import Response, jsonify

from notesbase.access import notes_audience
from notesbase.api import serialise
from notesbase.api.blueprint import bp
from notesbase.api_support.callers import caller
from notesbase.api_support.lookup import load_meeting, load_series
from notesbase.disclosure import Audience
from notesbase.meetings import service
from notesbase.models import utcnow
from notesbase.notes.facts import meeting_view


@bp.get("/series")
def series_list() -> Response:
    summaries = service.series_summaries(utcnow())
    return jsonify(
        {"series": [serialise.series_json(s.series, s.meeting_count) for s in summaries]}
    )


@bp.get("/series/<slug>")
def series_detail(slug: str) -> Response:
    series = load_series(slug)
    return jsonify(serialise.series_json(series, len(series.meetings)))


@bp.get("/series/<slug>/meetings")
def series_meetings(slug: str) -> Response:
    series = load_series(slug)
    now = utcnow()
    meetings = sorted(series.meetings, key=lambda m: m.number)
    audience = notes_audience(caller(), series) or Audience.PUBLIC
    shown = [serialise.meeting_json(m, now, audience) for m in meetings]
    return jsonify({"series": series.slug, "meetings": shown})


@bp.get("/series/<slug>/meetings/<int:number>")
def meeting_detail(slug: str, number: int) -> Response:
    meeting = load_meeting(load_series(slug), number)
    audience = notes_audience(caller(), meeting.series)
    data = serialise.meeting_json(meeting, utcnow(), audience or Audience.PUBLIC)
    if audience is not None:
        data["items"] = serialise.items_json(meeting_view(meeting, audience))
    return jsonify(data)
