"""A series' retention schedule in the JSON API (nested in the API's
blueprint at import, so it answers under ``/api/v1`` through its hooks):

- ``GET /series/<slug>/retention``: the schedule (members of the series,
  facilitators and admins; 401 without a token, 403 for anyone else);
- ``PUT /series/<slug>/retention`` ``{"keep": true}`` or ``{"months": 24,
  "action": "anonymise"}``: set it (facilitators and admins; 400 with a
  message and nothing stored for anything else);
- ``GET /series/<slug>/retention/preview``: the meetings due today and
  what the action would change in each (facilitators; changes nothing)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from notesbase.access import notes_audience
from notesbase.api import unit_of_work  # noqa: F401 - the API's own hooks run first
from notesbase.api.blueprint import bp as api_bp
from notesbase.api_support.callers import require_facilitator, require_member
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import load_series
from notesbase.api_support.payload import json_object
from notesbase.db import db
from notesbase.models import Series
from notesbase.privacy.retention import schedule as schedules
from notesbase.privacy.retention.outcomes import carry_out
from notesbase.privacy.retention.run import today_utc

bp = Blueprint("retention", __name__)
api_bp.register_blueprint(bp)

ADDRESS = "/series/<slug>/retention"
FIELDS = {"keep", "months", "action"}
# Meetings the preview works out in one request; the total is always given.
PREVIEW_MAX = 50


def schedule_json(series: Series) -> dict[str, Any]:
    applied = schedules.applied_before(series)
    return {
        "series": series.slug,
        "keep": series.retention_months is None,
        "months": series.retention_months,
        "action": series.retention_action.value if series.retention_action else None,
        "description": schedules.describe(series),
        "applied_up_to": (
            {"action": applied[0].value, "date": applied[1].isoformat()} if applied else None
        ),
        "links": {"self": url_for("api.retention.read", slug=series.slug)},
    }


@bp.get(ADDRESS)
def read(slug: str) -> Response:
    member = require_member()
    series = load_series(slug)
    if notes_audience(member, series) is None:
        raise ApiError(403, "Only members of this series may read its retention schedule.")
    return jsonify(schedule_json(series))


@bp.put(ADDRESS)
def write(slug: str) -> Response:
    actor = require_facilitator()
    series = load_series(slug)
    body = json_object()
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ApiError(
            400, f"Unknown field: {', '.join(unknown)}. Send keep, or months and action."
        )
    try:
        asked = schedules.read_schedule(body.get("keep"), body.get("months"), body.get("action"))
    except schedules.ScheduleError as error:
        raise ApiError(400, error.message) from None
    schedules.set_schedule(series, asked, actor=actor)
    save()
    return jsonify(schedule_json(series))


@bp.get(ADDRESS + "/preview")
def preview(slug: str) -> Response:
    require_facilitator()
    series = load_series(slug)
    action = series.retention_action
    due = schedules.due_meetings(series, today_utc())
    meetings = []
    for meeting in due[:PREVIEW_MAX]:
        assert action is not None  # a meeting is due only under a schedule
        outcome = carry_out(meeting, action, dry_run=True)
        meetings.append(
            {
                "number": meeting.number,
                "date": meeting.date.isoformat(),
                "changes": outcome.counts,
                "made_confidential": len(outcome.notes),
            }
        )
    db.session.rollback()
    return jsonify(
        {
            "series": series.slug,
            "action": action.value if action else None,
            "due": len(due),
            "meetings": meetings,
        }
    )
