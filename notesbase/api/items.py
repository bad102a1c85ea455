"""Facilitators' item endpoints: add an item to a meeting, read, change (with
an optional ``version`` for optimistic concurrency) and delete it. Others get
403 (401 without a token) before anything is looked up."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from sqlalchemy.orm.exc import StaleDataError

from notesbase.api import serialise
from notesbase.api.blueprint import bp
from notesbase.api_support.callers import require_facilitator
from notesbase.api_support.errors import ApiError, save
from notesbase.api_support.lookup import load_meeting, load_series
from notesbase.api_support.payload import Fields, json_object
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality, Kind
from notesbase.models import Item
from notesbase.notes import items
from notesbase.notes.errors import NotesError, StaleItem
from notesbase.notes.facts import meeting_view

KINDS = [kind.value for kind in Kind]
CONFIDENTIALITIES = [c.value for c in Confidentiality]
STALE = "Someone else changed this item since that version; fetch it again, then retry."


def _refused(error: NotesError) -> ApiError:
    db.session.rollback()
    if isinstance(error, StaleItem):
        return ApiError(
            409, error.message, {"version": f"The current version is {error.current_version}."}
        )
    return ApiError(422, fields={error.field: error.message})


def load_item(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None:
        raise ApiError(404, f"There is no item {item_id}.")
    return item


def item_json(item: Item) -> dict[str, Any]:
    """The item as facilitators see it, with the meeting it belongs to."""
    view = meeting_view(item.meeting, Audience.FACILITATOR)
    data = next(d for d in serialise.items_json(view) if d["id"] == item.id)
    data["meeting"] = {"series": item.meeting.series.slug, "number": item.meeting.number}
    return data


def _item_fields(fields: Fields, current: Item | None) -> items.ItemFields:
    """The body's fields over ``current``'s (all required when creating)."""
    creating = current is None
    kind = fields.choice("kind", KINDS, required=creating)
    body = fields.text("body", required=creating, max_length=items.BODY_MAX, blank=False)
    section = fields.text("section", max_length=items.SECTION_MAX, nullable=True, default=None)
    speaker = fields.integer("speaker", nullable=True)
    confidentiality = fields.choice("confidentiality", CONFIDENTIALITIES)
    if current is None:
        return items.ItemFields(
            kind=Kind(kind) if kind else Kind.POINT,
            body=body,
            section=section or "",
            speaker_id=speaker,
            confidentiality=Confidentiality(confidentiality or Confidentiality.OPEN),
        )
    return items.ItemFields(
        kind=Kind(kind) if kind else current.kind,
        body=body if fields.has("body") else current.body,
        section=(section or "") if fields.has("section") else current.section,
        speaker_id=speaker if fields.has("speaker") else current.speaker_id,
        confidentiality=(
            Confidentiality(confidentiality) if confidentiality else current.confidentiality
        ),
    )


def _removed(fields: Fields) -> dict[str, Any]:
    """``removed_characters`` for the answer, when storing took any out."""
    removed = fields.removed_characters("body")
    return {"removed_characters": removed} if removed else {}


@bp.post("/series/<slug>/meetings/<int:number>/items")
def create_item(slug: str, number: int) -> Response:
    actor = require_facilitator()
    meeting = load_meeting(load_series(slug), number)
    fields = Fields(json_object())
    item_fields = _item_fields(fields, None)
    fields.done()
    try:
        item = items.create_item(meeting, item_fields, actor=actor)
    except NotesError as error:
        raise _refused(error) from None
    save()
    answer: dict[str, Any] = {"id": item.id, "version": item.version}
    answer.update(_removed(fields))
    response = jsonify(answer)
    response.status_code = 201
    response.headers["Location"] = serialise.item_link(item)
    return response


@bp.get("/items/<int:item_id>")
def item_detail(item_id: int) -> Response:
    require_facilitator()
    return jsonify(item_json(load_item(item_id)))


@bp.patch("/items/<int:item_id>")
def update_item(item_id: int) -> Response:
    actor = require_facilitator()
    item = load_item(item_id)
    fields = Fields(json_object())
    version = fields.integer("version", nullable=True)
    item_fields = _item_fields(fields, item)
    fields.done()
    try:
        items.update_item(item, item_fields, actor=actor, expected_version=version)
    except NotesError as error:
        raise _refused(error) from None
    except StaleDataError:
        db.session.rollback()
        raise ApiError(409, STALE) from None
    save()
    return jsonify({**item_json(item), **_removed(fields)})


@bp.delete("/items/<int:item_id>")
def delete_item(item_id: int) -> Response:
    actor = require_facilitator()
    item = load_item(item_id)
    items.delete_item(item, actor=actor)
    save()
    return Response(status=204)
