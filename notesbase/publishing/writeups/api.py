"""The write-up in the JSON API: a blueprint of its own, nested in the API's
(``notesbase.api.writeups``), so it answers under ``/api/v1`` through the
API's hooks (the caller's token, JSON errors, the unit of work):

- ``GET /api/v1/series/<slug>/meetings/<n>/writeup``: the public write-up as
  it reads now, for anyone; 404 until it is published;
- ``PUT`` the same path: write the draft (facilitators' tokens), as the web
  form does: ``{"summary", "items", "version"}``, 409 with the current version
  when ``version`` is not it (0: there is no write-up yet), 422 per field; a
  published write-up changes in public at once, so the leak check runs first;
- ``POST`` the same path: publish (facilitators' tokens), optionally with
  ``{"version": n}``; 409 with the leak check's findings while one stands
  (and while a review is open, unless ``"confirm_open_review": true``);
- ``DELETE``: unpublish (facilitators' tokens); 404 when it is not published.

Errors keep the API's shape, ``{"error": {"status", "message", ...}}``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from notesbase.api_support.callers import require_facilitator
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import load_meeting, load_series
from notesbase.api_support.payload import Fields, iso, json_object
from notesbase.db import db
from notesbase.models import Meeting, Writeup
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.errors import StaleWriteup, WriteupError
from notesbase.publishing.writeups.public import (
    PublicWriteup,
    find_writeup,
    public_writeup,
    published_writeup,
)
from notesbase.publishing.writeups.service import (
    ITEMS_MAX,
    SUMMARY_MAX,
    publish_writeup,
    save_writeup,
    unpublish_writeup,
)
from notesbase.publishing.writeups.views import REVALIDATE, writeup_url

bp = Blueprint("writeups", __name__)
PATH = "/series/<slug>/meetings/<int:number>/writeup"
LEAK_MESSAGE = "The leak check found something the public may not see; nothing was published."
LEAK_ON_SAVE = (
    "The write-up is published, and the leak check found something the public may not see "
    "in this change; nothing was saved."
)


def writeup_json(public: PublicWriteup) -> dict[str, Any]:
    """The public write-up: only what ``disclose`` gives the public."""
    meeting = public.meeting
    writeup = public.writeup
    slug = meeting.series.slug
    return {
        "series": slug,
        "number": meeting.number,
        "title": public.title,
        "meeting_title": meeting.title,
        "date": meeting.date.isoformat(),
        "published_at": iso(writeup.published_at) if writeup else None,
        "first_published_at": iso(writeup.first_published_at) if writeup else None,
        "summary_html": public.summary_html,
        "summary_text": public.summary_text,
        "items": [
            {
                "id": item.id,
                "kind": item.kind.value,
                "section": item.section,
                "body_html": item.body_html,
                "body_text": item.body_text,
                "attribution": item.attribution,
            }
            for item in public.items
        ],
        "links": {
            "self": url_for("api.writeups.writeup", slug=slug, number=meeting.number),
            "html": writeup_url(meeting),
            "meeting": url_for("api.meeting_detail", slug=slug, number=meeting.number),
            "feed": url_for("writeups.series_feed", slug=slug),
        },
    }


def findings_json(report: leakcheck.LeakReport) -> list[dict[str, str]]:
    return [
        {
            "key": finding.key,
            "rule": finding.rule,
            "where": finding.where,
            "match": finding.match,
            "why": finding.why,
        }
        for finding in report.blocking
    ]


def draft_json(meeting: Meeting, writeup: Writeup) -> dict[str, Any]:
    """The draft as a facilitator wrote it: what ``PUT`` takes, and its version."""
    return {
        "series": meeting.series.slug,
        "number": meeting.number,
        "version": writeup.version,
        "summary": writeup.summary,
        "items": [item.id for item in writeup.items],
        "published": writeup.published,
        "links": {
            "self": url_for(
                "api.writeups.writeup", slug=meeting.series.slug, number=meeting.number
            ),
            "edit": url_for("writeups.edit", slug=meeting.series.slug, number=meeting.number),
        },
    }


def _leak_refused(report: leakcheck.LeakReport, message: str) -> Response:
    db.session.rollback()
    response = jsonify(
        {"error": {"status": 409, "message": message, "findings": findings_json(report)}}
    )
    response.status_code = 409
    response.headers["Cache-Control"] = "no-store"
    return response


def _stale(current_version: int) -> ApiError:
    db.session.rollback()
    error = StaleWriteup(current_version)
    return ApiError(
        409, error.message, {"version": f"The current version is {error.current_version}."}
    )


def _load(slug: str, number: int) -> Meeting:
    return load_meeting(load_series(slug), number)


def _expected_version() -> int | None:
    """``version`` from an optional JSON body; no body means no check."""
    if not request.content_length and not request.mimetype:
        return None
    fields = Fields(json_object())
    version = fields.integer("version", nullable=True)
    fields.boolean(
        "confirm_open_review", default=False
    )  # read before this view, by a review's hook
    fields.done()
    return version


@bp.get(PATH)
def writeup(slug: str, number: int) -> Response:
    meeting = _load(slug, number)
    found = published_writeup(meeting)
    if found is None:
        raise ApiError(404, f"Meeting {number} of '{slug}' has no published write-up.")
    response = jsonify(writeup_json(found))
    response.headers["Cache-Control"] = REVALIDATE  # a token's answer: no-store (api.auth)
    return response


@bp.post(PATH)
def publish_writeup_api(slug: str, number: int) -> Response:
    actor = require_facilitator()
    meeting = _load(slug, number)
    expected = _expected_version()
    if find_writeup(meeting) is None:
        raise ApiError(404, f"Meeting {number} of '{slug}' has no write-up to publish yet.")
    try:
        publish_writeup(meeting, actor=actor, expected_version=expected)
    except leakcheck.LeakCheckFailed as failed:
        return _leak_refused(failed.report, LEAK_MESSAGE)
    except StaleWriteup as error:
        raise _stale(error.current_version) from None
    except WriteupError as error:
        raise ApiError(422, error.message, {error.field: error.message}) from None
    except StaleDataError:
        db.session.rollback()
        raise ApiError(409, StaleWriteup(0).message) from None
    save()
    return jsonify(writeup_json(public_writeup(meeting)))


@bp.put(PATH)
def save_writeup_api(slug: str, number: int) -> Response:
    """Write the draft: the summary (Markdown) and the open items that go in."""
    actor = require_facilitator()
    meeting = _load(slug, number)
    fields = Fields(json_object())
    summary = fields.text("summary", required=True, max_length=SUMMARY_MAX, trim=False)
    item_ids = fields.integers("items", required=True, max_items=ITEMS_MAX)
    version = fields.integer("version", required=True, minimum=0)
    fields.done()
    try:
        writeup, _changed = save_writeup(
            meeting, summary, item_ids, actor=actor, expected_version=version
        )
    except StaleWriteup as error:
        raise _stale(error.current_version) from None
    except leakcheck.LeakCheckFailed as failed:
        return _leak_refused(failed.report, LEAK_ON_SAVE)
    except WriteupError as error:
        db.session.rollback()
        raise ApiError(422, fields={error.field: error.message}) from None
    except (IntegrityError, StaleDataError):  # a concurrent save got there first
        db.session.rollback()
        current = find_writeup(meeting)
        raise _stale(current.version if current is not None else 0) from None
    save()
    return jsonify(draft_json(meeting, writeup))


@bp.delete(PATH)
def unpublish_writeup_api(slug: str, number: int) -> Response:
    actor = require_facilitator()
    meeting = _load(slug, number)
    if not unpublish_writeup(meeting, actor=actor):
        raise ApiError(404, f"Meeting {number} of '{slug}' has no published write-up.")
    save()
    return Response(status=204)
