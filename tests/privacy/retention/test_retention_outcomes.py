"""Each retention outcome on SQLite and PostgreSQL, with the index written
a commit at a time and many at once: what every audience reads
afterwards, versions, search and the raw index, audit, dry run, rerun,
upcoming meetings and a schedule change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import (
    AuditEvent,
    Consent,
    Item,
    ItemRevision,
    Meeting,
    RetentionAction,
    Reviewer,
    ReviewRound,
    WriteupSnapshotItem,
)
from notesbase.publishing.writeups import service as writeups
from notesbase.search import changes
from tests.conftest import app_on, engine_url
from tests.privacy.retention import retention_support as w


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The retention world's app on each engine."""
    with app_on(tmp_path, engine_url(request, tmp_path), SEARCH_APPLY_ON_COMMIT=False) as app:
        yield app


@pytest.fixture(autouse=True, params=["one commit at a time", "many at once"])
def index_writes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each outcome with the index written a commit at a time, and as a
    run over many meetings writes it (``search.changes.many``)."""
    if request.param == "many at once":
        monkeypatch.setattr(changes, "MANY_ITEMS", 1)


@pytest.fixture
def world(app: Flask, make_member: Any, make_series: Any) -> dict[str, int]:
    return w.build_world(app, make_member, make_series)


def run(app: Flask, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=["retention", "apply", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def revisions(app: Flask, item_id: int) -> list[ItemRevision]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(ItemRevision).where(ItemRevision.item_id == item_id))
        )


def test_purge_restricted(app: Flask, world: dict[str, int]) -> None:
    """Facilitators-only text goes everywhere; what members and the public read stays."""
    w.set_schedule(app, 24, "purge_restricted")
    assert w.hits(app, "facilitator@example.org", w.SPAN_SECRET) == 1
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "cop: 1 meeting(s) due" in result.output
    assert "meeting 1/1" in result.stderr
    text = w.every_text(app)
    for planted in (w.SPAN_SECRET, w.TYPO_SPAN, "Plantedconfidential", "Plantedoldversion"):
        assert planted not in text
    for planted in (w.SUGGESTED, w.COMMENT, w.OVERRIDE):
        assert planted not in text
    assert w.item_row(app, world["confidential"]) is None
    spans = w.item_row(app, world["spans"])
    assert spans is not None
    assert spans.body == f"We agreed and [{w.MEMBERS_SPAN} dates]{{.members}}."
    assert spans.version == 2
    assert [r.version for r in revisions(app, world["spans"])] == [2]
    assert [r.body for r in revisions(app, world["edited"])] == [w.NEW_VERSION]
    # What members and the public read is untouched; the members' span still
    # hides from the public.
    assert w.hits(app, "member@example.org", w.MEMBERS_SPAN) == 1
    assert w.hits(app, None, w.MEMBERS_SPAN) == 0
    assert w.hits(app, "member@example.org", "Plantedopen") == 1
    for planted in (w.SPAN_SECRET, "plantedconfidential", w.TYPO_SPAN, "plantedoldversion"):
        assert w.hits(app, "facilitator@example.org", planted) == 0
        assert planted.encode() not in w.index_bytes(app).lower()
    assert w.UPCOMING in w.every_text(app)
    with app.app_context():
        meeting = db.session.get(Meeting, world["old"])
        assert meeting is not None and meeting.retention_applied is RetentionAction.PURGE_RESTRICTED
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "meeting.retention")
        ).one()
        assert event.meeting_id == world["old"]
        assert event.details["items_purged"] == 1
        assert event.details["retention"] == "purge_restricted"
        upcoming = db.session.get(Meeting, world["upcoming"])
        assert upcoming is not None and upcoming.retention_applied is None


def test_anonymise(app: Flask, world: dict[str, int]) -> None:
    """Nobody is linked to their words or named in them; the words stay."""
    w.set_schedule(app, 1, "anonymise")
    assert w.hits(app, "facilitator@example.org", "Zimmerwald") >= 1
    result = run(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        ids = [world[k] for k in ("open", "spans", "typo", "confidential", "edited", "naming")]
        speakers = db.session.scalars(
            sa.select(ItemRevision.speaker_id).where(ItemRevision.item_id.in_(ids))
        ).all()
        assert set(speakers) == {None}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reviewer)) == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Consent.id)).where(Consent.meeting_id == world["old"])
            )
            == 0
        )
        snapshot = db.session.scalars(sa.select(WriteupSnapshotItem)).all()
        assert [row.speaker_id for row in snapshot] == [None]
    naming = w.item_row(app, world["naming"])
    assert naming is not None
    assert "Zimmerwald" not in naming.body and "Harold" not in naming.body
    assert "plantednaming data is scarce" in naming.body
    assert "Plantedoldversion" not in w.every_text(app)
    for audience in ("facilitator@example.org", "member@example.org", None):
        assert w.hits(app, audience, "Zimmerwald") == 0
    # Only the upcoming meeting, untouched, still credits her (to facilitators).
    assert w.hits(app, "facilitator@example.org", "Quarrington") == 1
    assert b"zimmerwald" not in w.index_bytes(app).lower()
    assert w.hits(app, "member@example.org", "plantednaming") == 1
    # The upcoming meeting keeps its speaker.
    upcoming = w.item_row(app, world["upcoming_item"])
    assert upcoming is not None and upcoming.speaker_id == world["speaker"]


def test_a_published_copy_follows_its_item_to_the_new_version(
    app: Flask, world: dict[str, int]
) -> None:
    """The write-up also carries the item the run rewrites: its published
    copy, rewritten the same way, is recorded as the item's new version."""
    with app.app_context():
        old = db.session.get(Meeting, world["old"])
        chosen = [world["published"], world["open"]]
        writeups.save_writeup(old, "A summary.", chosen, actor=None, expected_version=None)
        db.session.commit()
        before = db.session.get(Item, world["open"]).version
    w.set_schedule(app, 1, "anonymise")
    assert run(app).exit_code == 0
    with app.app_context():
        item = db.session.get(Item, world["open"])
        assert item.speaker_id is None and item.version == before + 1
        copies = db.session.scalars(
            sa.select(WriteupSnapshotItem).where(WriteupSnapshotItem.item_id == item.id)
        ).all()
        assert copies
        assert [(row.version, row.speaker_id) for row in copies] == [(item.version, None)]
        untouched = db.session.scalars(
            sa.select(WriteupSnapshotItem.version).where(
                WriteupSnapshotItem.item_id == world["published"]
            )
        ).all()
        assert set(untouched) == {db.session.get(Item, world["published"]).version}


def test_purge_notes(app: Flask, world: dict[str, int]) -> None:
    """The notes go; the meeting, its summary and the public write-up stay."""
    w.set_schedule(app, 12, "purge_notes")
    result = run(app)
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = db.session.scalars(
            sa.select(ItemRevision.item_id)
            .join(ItemRevision.item)
            .where(sa.literal_column("items.meeting_id") == world["old"])
        ).all()
        assert left == [world["published"]]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)) == 0
        assert db.session.get(Meeting, world["old"]) is not None
    text = w.every_text(app)
    for planted in ("Plantedopen", w.SPAN_SECRET, "Plantedconfidential", "plantednaming"):
        assert planted not in text
        assert planted.lower().encode() not in w.index_bytes(app).lower()
    assert "A summary." in text
    page = app.test_client().get("/series/cop/meetings/1/writeup")
    assert page.status_code == 200
    assert "Plantedpublished" in page.get_data(as_text=True)
    assert w.hits(app, None, "Plantedpublished") >= 1
    assert w.UPCOMING in text


def test_dry_run_changes_nothing(app: Flask, world: dict[str, int]) -> None:
    """A dry run prints what would change and leaves every row as it was."""
    for action in RetentionAction:
        w.set_schedule(app, 1, action.value)
        before = w.dump(app)
        result = run(app, "--dry-run")
        assert result.exit_code == 0, result.output
        assert "would" in result.output and "meeting 1" in result.output
        assert w.dump(app) == before


def test_rerun_does_nothing_new(app: Flask, world: dict[str, int]) -> None:
    """A second run finds nothing due and records nothing."""
    w.set_schedule(app, 1, "purge_restricted")
    assert run(app).exit_code == 0
    before = w.dump(app)
    again = run(app)
    assert again.exit_code == 0
    assert "Nothing is due." in again.output
    assert w.dump(app) == before


def test_schedule_change_runs_the_other_action(app: Flask, world: dict[str, int]) -> None:
    """Anonymised, then switched to purge_restricted: the purge is done too,
    and the anonymising stays; purge_notes covers both."""
    w.set_schedule(app, 1, "anonymise")
    assert run(app).exit_code == 0
    w.set_schedule(app, 1, "purge_restricted")
    result = run(app)
    assert "cop: 1 meeting(s) due" in result.output
    for key, value in w.all_rows(app).items():
        assert w.SPAN_SECRET not in value, key
    naming = w.item_row(app, world["naming"])
    assert naming is not None and "Zimmerwald" not in naming.body
    w.set_schedule(app, 1, "purge_notes")
    assert "1 meeting(s) due" in run(app).output
    w.set_schedule(app, 1, "anonymise")
    assert "Nothing is due." in run(app).output


def test_not_due_yet(app: Flask, world: dict[str, int]) -> None:
    """A meeting inside its period is untouched; so is every upcoming one."""
    w.set_schedule(app, 600, "purge_notes")
    before = w.dump(app)
    assert "Nothing is due." in run(app).output
    assert w.dump(app) == before


def test_fail_closed_text_becomes_members_only(app: Flask, world: dict[str, int]) -> None:
    """Markup the cut cannot write back exactly leaves plain words members read."""
    with app.app_context():
        from notesbase.models import Item

        item = db.session.get(Item, world["open"])
        assert item is not None
        item.body = "| a | b |\n|---|---|\n| x [s]{.confidential} | [m]{.members} |"
        db.session.commit()
    w.set_schedule(app, 1, "purge_restricted")
    result = run(app)
    assert result.exit_code == 0, result.output
    item = w.item_row(app, world["open"])
    assert item is not None
    assert "[s]" not in item.body
    if "{.members}" not in item.body:
        assert item.confidentiality is Confidentiality.MEMBERS
