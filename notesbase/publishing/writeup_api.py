"""The write-up in the JSON API (routes on ``notesbase.api.bp``):

- ``GET /api/v1/series/<slug>/meetings/<n>/writeup``: the public write-up as
  it reads now, for anyone; 404 until it is published;
- ``POST`` the same path: publish (facilitators' tokens), optionally with
  ``{"version": n}``; 409 with the leak check's findings while one stands;
- ``DELETE``: unpublish (facilitators' tokens); 404 when it is not published.

Errors keep the API's shape, ``{"error": {"status", "message", ...}}``."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from notesbase.api import bp
from notesbase.api.auth import require_facilitator
from notesbase.api.errors import ApiError, commit
from notesbase.api.payload import Fields, json_object
from notesbase.api.serialise import iso
from notesbase.api.views import load_meeting, load_series
from notesbase.db import db
from notesbase.models import Meeting
from notesbase.publishing import leakcheck
from notesbase.publishing.writeup_service import (
    PublicWriteup,
    StaleWriteup,
    WriteupError,
    find_writeup,
    public_writeup,
    publish_writeup,
    published_writeup,
    unpublish_writeup,
)
from notesbase.publishing.writeup_views import REVALIDATE, writeup_url

PATH = "/series/<slug>/meetings/<int:number>/writeup"
LEAK_MESSAGE = "The leak check found something the public may not see; nothing was published."


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
            "self": url_for("api.writeup", slug=slug, number=meeting.number),
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


def _load(slug: str, number: int) -> Meeting:
    return load_meeting(load_series(slug), number)


def _expected_version() -> int | None:
    """``version`` from an optional JSON body; no body means no check."""
    if not request.content_length and not request.mimetype:
        return None
    fields = Fields(json_object())
    version = fields.integer("version", nullable=True)
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
        db.session.rollback()
        response = jsonify(
            {
                "error": {
                    "status": 409,
                    "message": LEAK_MESSAGE,
                    "findings": findings_json(failed.report),
                }
            }
        )
        response.status_code = 409
        response.headers["Cache-Control"] = "no-store"
        return response
    except StaleWriteup as error:
        db.session.rollback()
        raise ApiError(
            409, error.message, {"version": f"The current version is {error.current_version}."}
        ) from None
    except WriteupError as error:
        raise ApiError(422, error.message, {error.field: error.message}) from None
    except StaleDataError:
        db.session.rollback()
        raise ApiError(409, StaleWriteup(0).message) from None
    commit()
    return jsonify(writeup_json(public_writeup(meeting)))


@bp.delete(PATH)
def unpublish_writeup_api(slug: str, number: int) -> Response:
    actor = require_facilitator()
    meeting = _load(slug, number)
    if not unpublish_writeup(meeting, actor=actor):
        raise ApiError(404, f"Meeting {number} of '{slug}' has no published write-up.")
    commit()
    return Response(status=204)
