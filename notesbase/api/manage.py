"""Facilitators' writes: create series and meetings, add members to a series.
Each view checks the caller (401/403), loads (404), validates (422), calls the
service (409 on a clash) and commits."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, jsonify, url_for

from notesbase import audit
from notesbase.api import serialise
from notesbase.api.blueprint import bp
from notesbase.api_support.callers import require_facilitator
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import load_series
from notesbase.api_support.payload import Fields, json_object, storable
from notesbase.db import db
from notesbase.disclosure import Audience
from notesbase.meetings import service
from notesbase.meetings.forms import (
    MAX_MEETING_NUMBER,
    MAX_TEXT,
    MAX_TOPIC_LENGTH,
    MAX_TOPICS,
    RESERVED_SLUGS,
    SLUG_PATTERN,
)
from notesbase.meetings.timeline import DEFAULT_TIMEZONE, is_known_timezone
from notesbase.meetings.topics import clean_topic_names
from notesbase.models import MeetingFormat, MeetingStatus, Member, utcnow


def _created(data: dict[str, object], location: str) -> Response:
    response = jsonify(data)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _conflict(conflict: service.Conflict) -> ApiError:
    db.session.rollback()
    return ApiError(409, conflict.message, {conflict.field: conflict.message})


@bp.post("/series")
def create_series() -> Response:
    require_facilitator()
    fields = Fields(json_object())
    slug = fields.text("slug", required=True, max_length=80, blank=False)
    title = fields.text("title", required=True, max_length=200, blank=False)
    description = fields.text("description", max_length=MAX_TEXT)
    if isinstance(slug, str) and slug and "slug" not in fields.errors:
        if not SLUG_PATTERN.fullmatch(slug):
            fields.fail("slug", "Use lowercase letters, digits and single hyphens only.")
        elif slug in RESERVED_SLUGS:
            fields.fail("slug", f"'{slug}' is reserved; choose another slug.")
    fields.done()
    try:
        series = service.create_series(service.SeriesFields(slug, title, description))
    except service.Conflict as conflict:
        raise _conflict(conflict) from None
    save()
    return _created(serialise.series_json(series, 0), url_for("api.series_detail", slug=slug))


def _http_url(fields: Fields, name: str) -> str | None:
    url = fields.text(name, max_length=500, nullable=True, default=None)
    if isinstance(url, str) and url:
        try:
            parts = urlsplit(url)
        except ValueError:  # "http://[" is not even a URL
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or re.search(r"\s", url)
        ):
            fields.fail(name, "Give a web address starting with https:// or http://.")
    return url or None


def meeting_fields(fields: Fields) -> service.MeetingFields:
    """The meeting in the body: number, title, date required, the rest optional."""
    number = fields.integer("number", required=True, maximum=MAX_MEETING_NUMBER)
    title = fields.text("title", required=True, max_length=200, blank=False)
    day = fields.iso_date("date", required=True)
    topics = fields.strings("topics", max_items=MAX_TOPICS, max_length=MAX_TOPIC_LENGTH)
    timezone = fields.text("timezone", max_length=64, default=DEFAULT_TIMEZONE)
    if not is_known_timezone(timezone):
        fields.fail("timezone", "Give an IANA time zone name like Europe/London.")
    formats = [f.value for f in MeetingFormat]
    meeting_format = fields.choice("format", formats, nullable=True)
    status = fields.choice("status", [s.value for s in MeetingStatus])
    fields_out = service.MeetingFields(
        number=number or 0,
        title=title,
        date=day,  # type: ignore[arg-type]  # required: done() refuses a missing date
        start_time=fields.iso_time("start_time"),
        timezone=timezone,
        format=MeetingFormat(meeting_format) if meeting_format else None,
        status=MeetingStatus(status) if status else MeetingStatus.UPCOMING,
        theme=fields.text("theme", max_length=300),
        topics=clean_topic_names(topics),
        speakers=fields.text("speakers", max_length=5000),
        registration_url=_http_url(fields, "registration_url"),
        description=fields.text("description", max_length=MAX_TEXT),
        chatham_house=fields.boolean("chatham_house", default=True),
    )
    fields.done()
    return fields_out


@bp.post("/series/<slug>/meetings")
def create_meeting(slug: str) -> Response:
    require_facilitator()
    series = load_series(slug)
    fields = meeting_fields(Fields(json_object()))
    try:
        meeting = service.create_meeting(series, fields)
    except service.Conflict as conflict:
        raise _conflict(conflict) from None
    save()
    location = url_for("api.meeting_detail", slug=slug, number=meeting.number)
    return _created(serialise.meeting_json(meeting, utcnow(), Audience.FACILITATOR), location)


@bp.post("/series/<slug>/members")
def add_member(slug: str) -> Response:
    """Add an existing account to a series: 201 when added, 200 if it was in already."""
    actor = require_facilitator()
    series = load_series(slug)
    fields = Fields(json_object())
    email = fields.text("email", required=True, max_length=254, blank=False)
    fields.done()
    member = None
    if storable(email):
        member = db.session.scalar(sa.select(Member).where(Member.email == email.lower()))
    if member is None:
        raise ApiError(404, "No account has that email; invite them first.")
    added = all(s.id != series.id for s in member.series)
    if added:
        member.series.append(series)
        db.session.flush()
        audit.record("series.add_member", "member", member.id, actor=actor, series_id=series.id)
        save()
    response = jsonify(
        {
            "series": series.slug,
            "member": {"id": member.id, "email": member.email, "name": member.display_name},
            "added": added,
        }
    )
    response.status_code = 201 if added else 200
    return response
