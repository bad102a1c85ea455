"""Shared by the retention tests (no tests here): a series whose old
meeting holds every kind of text retention acts on, each marked with a
planted word, an upcoming meeting that must never be touched, and helpers
that read every row, search as each audience and read the raw index."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import (
    Base,
    Item,
    LeakOverride,
    MeetingStatus,
    Member,
    RequestKind,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    Role,
    Series,
    utcnow,
)
from notesbase.notes import items, people
from notesbase.publishing.writeups import service as writeups
from notesbase.search import indexer
from notesbase.search.service import search

SPEAKER = "Gwendolyn Quarrington"
SPEAKER_ORG = "Quarry Trust"
NAMED = "Harold Zimmerwald"
NAMED_ORG = "Zimmerwald Foundation"

# Each planted word marks one kind of text; retention must remove some.
OPEN_WORDS = "Plantedopen registers should be published openly."
SPAN_SECRET = "plantedspan"
MEMBERS_SPAN = "plantedmembers"
WITH_SPANS = (
    f"We agreed [{SPAN_SECRET} the budget]{{.confidential}} and [{MEMBERS_SPAN} dates]{{.members}}."
)
TYPO_SPAN = "plantedtypo"
WITH_TYPO = f"Another point [{TYPO_SPAN} words]{{.confidentail}} here."
CONFIDENTIAL = "Plantedconfidential the budget will be cut."
OLD_VERSION = "Plantedoldversion first draft of the point."
NEW_VERSION = "A point about procurement, revised."
NAMING = f"As {NAMED} of {NAMED_ORG} argued, plantednaming data is scarce."
PUBLISHED = "Plantedpublished the network meets quarterly."
SUGGESTED = "plantedsuggested"
COMMENT = "plantedcomment"
OVERRIDE = "plantedoverride"
UPCOMING = "Plantedupcoming agenda to be agreed."

OLD_DATE = date.today() - timedelta(days=800)


def build_world(app: Flask, make_member: Any, make_series: Any) -> dict[str, int]:
    """Series "cop": meeting 1 long past, full of planted text; meeting 2
    upcoming. A facilitator, a member of cop, a member of another series."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other series")
    make_member("facilitator@example.org", role=Role.FACILITATOR, name="Fiona Facilitator")
    make_member("admin@example.org", role=Role.ADMIN, name="Ada Admin")
    make_member("member@example.org", series=[cop])
    make_member("outsider@example.org", series=[other])
    world: dict[str, int] = {}
    with app.app_context():
        series = db.session.get(Series, cop.id)
        assert series is not None
        old = service.create_meeting(
            series,
            service.MeetingFields(
                number=1, title="First", date=OLD_DATE, status=MeetingStatus.HELD
            ),
        )
        upcoming = service.create_meeting(
            series,
            service.MeetingFields(number=2, title="Next", date=date.today() + timedelta(days=30)),
        )
        speaker = people.create_person(
            people.PersonFields(SPEAKER, SPEAKER_ORG, "a data lead", "gwen@example.org"),
            actor=None,
        )
        named = people.create_person(people.PersonFields(NAMED, NAMED_ORG, "", None), actor=None)
        for audience in ConsentAudience:
            grants.grant(speaker, audience, Level.NAMED, grants.Scope(meeting=old), actor=None)

        def add(meeting: Any, body: str, confidentiality: Confidentiality, who: Any = None) -> Item:
            fields = items.ItemFields(Kind.POINT, body, speaker_id=who.id if who else None)
            fields.confidentiality = confidentiality
            return items.create_item(meeting, fields, actor=None)

        world["open"] = add(old, OPEN_WORDS, Confidentiality.OPEN, speaker).id
        world["spans"] = add(old, WITH_SPANS, Confidentiality.OPEN, speaker).id
        world["typo"] = add(old, WITH_TYPO, Confidentiality.OPEN).id
        world["confidential"] = add(old, CONFIDENTIAL, Confidentiality.CONFIDENTIAL, speaker).id
        edited = add(old, OLD_VERSION, Confidentiality.MEMBERS)
        items.update_item(
            edited,
            items.ItemFields(Kind.POINT, NEW_VERSION, confidentiality=edited.confidentiality),
            actor=None,
        )
        world["edited"] = edited.id
        world["naming"] = add(old, NAMING, Confidentiality.OPEN).id
        published = add(old, PUBLISHED, Confidentiality.OPEN)
        world["published"] = published.id
        world["upcoming_item"] = add(upcoming, UPCOMING, Confidentiality.OPEN, speaker).id
        writeups.save_writeup(old, "A summary.", [published.id], actor=None, expected_version=None)
        writeups.publish_writeup(old, actor=None)
        review = ReviewRound(meeting_id=old.id, deadline=utcnow() + timedelta(days=5))
        db.session.add(review)
        db.session.flush()
        reviewer = Reviewer(round_id=review.id, person_id=speaker.id, token_hash="a" * 64)
        db.session.add(reviewer)
        db.session.flush()
        db.session.add(
            ReviewRequest(
                reviewer_id=reviewer.id,
                item_id=world["open"],
                item_version=1,
                kind=RequestKind.CORRECTION,
                suggested=SUGGESTED,
                comment=COMMENT,
            )
        )
        db.session.add(
            LeakOverride(
                meeting_id=old.id, channel="writeup", finding_key="k" * 64, reason=OVERRIDE
            )
        )
        world.update(old=old.id, upcoming=upcoming.id, speaker=speaker.id, named=named.id)
        world.update(series=cop.id)
        db.session.commit()
    indexer.apply(app)
    return world


def set_schedule(app: Flask, months: int | None, action: str | None) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Series)
            .where(Series.slug == "cop")
            .values(retention_months=months, retention_action=action)
        )
        db.session.commit()


def dump(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for "nothing changed"."""
    with app.app_context():
        found = {}
        for table in Base.metadata.sorted_tables:
            rows = db.session.execute(sa.select(table)).all()
            found[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        db.session.rollback()
        return found


def every_text(app: Flask) -> str:
    """Every text column of every row, joined: a planted word is gone only
    when it is nowhere here."""
    with app.app_context():
        parts = []
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                parts.extend(str(value) for value in row if isinstance(value, str | dict | list))
        db.session.rollback()
        return "\n".join(parts)


def all_rows(app: Flask) -> dict[str, str]:
    """Each table's rows as text, by table name (to say where a word is)."""
    with app.app_context():
        found = {
            table.name: repr(db.session.execute(sa.select(table)).all())
            for table in Base.metadata.sorted_tables
        }
        db.session.rollback()
        return found


def index_bytes(app: Flask) -> bytes:
    root = Path(app.instance_path)
    return b"".join(
        path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "sqlite" not in path.name
    )


def hits(app: Flask, email: str | None, words: str) -> int:
    """How many results a search for ``words`` gives ``email`` (None: the public)."""
    with app.app_context(), app.test_request_context():
        member = (
            db.session.scalar(sa.select(Member).where(Member.email == email)) if email else None
        )
        return search(member, words).total


def item_row(app: Flask, item_id: int) -> Item | None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        if item is not None:
            db.session.expunge(item)
        return item
