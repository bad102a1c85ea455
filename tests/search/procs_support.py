"""Helpers for the search index tests: a small world of notes, and
comparing indexes (the worker processes are in ``workers_support``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.meetings import service as meetings
from notesbase.models import Item, Meeting
from notesbase.notes import items as item_service
from notesbase.notes.people import PersonFields, create_person
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from notesbase.search import indexer
from notesbase.search.engine import StoredDoc

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 60


# -- a small world ------------------------------------------------------------


@dataclass
class World:
    """Ids of what ``build_world`` made."""

    series: dict[str, int] = field(default_factory=dict)
    meetings: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)


def meeting_fields(meeting: Meeting, **changes: Any) -> meetings.MeetingFields:
    """The meeting's current fields with ``changes``: what its edit form posts."""
    fields = meetings.MeetingFields(
        number=meeting.number,
        title=meeting.title,
        date=meeting.date,
        status=meeting.status,
        theme=meeting.theme,
        topics=[topic.name for topic in meeting.topics],
        description=meeting.description,
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    return fields


def item_fields(item: Item, **changes: Any) -> item_service.ItemFields:
    fields = item_service.ItemFields(
        kind=item.kind,
        body=item.body,
        section=item.section,
        speaker_id=item.speaker_id,
        confidentiality=item.confidentiality,
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    return fields


def build_world(app: Flask, *, writeup: bool = True) -> World:
    """Two series, three meetings with topics, two people who speak and are
    named in others' items, items of every confidentiality and (unless
    ``writeup`` is False) a published write-up of the first meeting carrying
    two of its open items. Committed.

    The (empty) index is made first, outside any transaction, as a running
    app would have it before anyone writes notes."""
    world = World()
    indexer.apply(app)
    with app.app_context():
        cop = meetings.create_series(meetings.SeriesFields("cop", "Community of Practice"))
        board = meetings.create_series(meetings.SeriesFields("board", "Board"))
        first = meetings.create_meeting(
            cop,
            meetings.MeetingFields(
                number=1,
                title="Open data in councils",
                date=date(2025, 1, 15),
                theme="Sharing data",
                topics=["Open data", "Councils"],
                description="How councils publish *open* data.",
            ),
        )
        second = meetings.create_meeting(
            cop,
            meetings.MeetingFields(
                number=2, title="Health records", date=date(2025, 3, 12), topics=["Health"]
            ),
        )
        third = meetings.create_meeting(
            board,
            meetings.MeetingFields(
                number=1, title="Board business", date=date(2025, 2, 1), topics=["Governance"]
            ),
        )
        jane = create_person(
            PersonFields("Jane Doe", "Open Data Manchester", "a council data lead"), actor=None
        )
        raj = create_person(PersonFields("Raj Patel", "Civic Lab"), actor=None)
        plan = [
            (first, Kind.POINT, "Councils should publish spending data weekly", jane.id, "open"),
            (first, Kind.QUOTE, "Raj Patel argued for a shared register", None, "open"),
            (first, Kind.DECISION, "Budget figures stay internal", raj.id, "members"),
            (first, Kind.POINT, "Someone from Open Data Manchester will follow up", None, "open"),
            (first, Kind.ACTION, "Escalate the procurement dispute", jane.id, "confidential"),
            (second, Kind.POINT, "Patients want to see who reads their records", raj.id, "open"),
            (second, Kind.QUESTION, "What did Jane Doe mean by consent fatigue?", None, "open"),
            (third, Kind.POINT, "The board approved the annual accounts", None, "members"),
        ]
        for meeting, kind, body, speaker, confidentiality in plan:
            item = item_service.create_item(
                meeting,
                item_service.ItemFields(
                    kind, body, "Discussion", speaker, Confidentiality(confidentiality)
                ),
                actor=None,
            )
            world.items.append(item.id)
        if writeup:
            save_writeup(
                first,
                "The network agreed to publish more.",
                [world.items[0], world.items[3]],
                actor=None,
                expected_version=None,
            )
            publish_writeup(first, actor=None)
        db.session.commit()
        world.series = {"cop": cop.id, "board": board.id}
        world.meetings = {"first": first.id, "second": second.id, "third": third.id}
        world.people = {"jane": jane.id, "raj": raj.id}
    return world


# -- comparing indexes ---------------------------------------------------------


def comparable(doc: StoredDoc) -> tuple[Any, ...]:
    """What must agree between an index kept up write by write and a rebuild."""
    return (
        doc.doctype,
        doc.target,
        doc.fingerprint,
        doc.version,
        tuple(sorted(doc.audiences)),
        tuple(sorted(doc.topics)),
        doc.kind,
        doc.series,
        doc.meeting,
        doc.number,
        doc.day,
    )


def snapshot(app: Flask) -> dict[str, tuple[Any, ...]]:
    """Every document in the app's current index, by id."""
    engine = indexer.engine_for(app)
    return {doc.doc_id: comparable(doc) for doc in engine.stored_documents()}


def indexed_versions(app: Flask) -> dict[int, set[int]]:
    """The versions the index holds for each item (one per document)."""
    versions: dict[int, set[int]] = {}
    for doc in indexer.engine_for(app).stored_documents():
        if doc.doctype == "item":
            versions.setdefault(doc.target, set()).add(doc.version)
    return versions


def database_versions(app: Flask) -> dict[int, int]:
    with app.app_context():
        return {
            item_id: version
            for item_id, version in db.session.execute(sa.select(Item.id, Item.version))
        }


def index_bytes(root: Path) -> bytes:
    """Every byte of every file under the index folder."""
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())
