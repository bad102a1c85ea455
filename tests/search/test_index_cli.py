"""``notesbase index rebuild | check | apply``: a rebuild swaps in a fresh
generation, check exits 1 naming every missing, extra and stale document,
and apply drains the outbox."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import IndexOutbox, Item
from notesbase.notes import items as item_service
from notesbase.search import indexer
from tests.search.procs_support import build_world, item_fields


def index(runner, *args):
    return runner.invoke(args=["index", *args])


def edit(app, item_id: int, body: str) -> None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        item_service.update_item(item, item_fields(item, body=body), actor=None)
        db.session.commit()


def test_rebuild_swaps_in_a_new_generation(app, runner):
    """The rebuild shows progress, writes a new folder, points CURRENT at
    it and removes the old one; the index is then in step."""
    build_world(app)
    engine = indexer.engine_for(app)
    old = engine.current_path()
    assert old is not None
    result = index(runner, "rebuild")
    assert result.exit_code == 0, result.output
    assert "Indexing meetings" in result.output
    documents = len(list(engine.stored_documents()))
    assert f"Indexed {documents} documents" in result.output
    new = engine.current_path()
    assert new is not None and new != old
    assert (engine.root / "CURRENT").read_text().strip() == new.name
    assert not old.exists()
    assert [p.name for p in engine.root.glob("gen-*")] == [new.name]
    assert index(runner, "check").exit_code == 0


def test_check_is_clean_when_in_step(app, runner):
    world = build_world(app)
    indexer.apply(app)
    result = index(runner, "check")
    assert result.exit_code == 0, result.output
    assert "0 missing, 0 extra, 0 stale; 0 outbox rows not applied yet;" in result.output
    assert "0 failing, 0 set aside." in result.output
    assert f"item:{world.items[0]}" not in result.output


def test_check_names_missing_extra_and_stale_documents(app, runner):
    """Documents deleted behind the index's back, one that names no item,
    and an edit whose outbox row was cut: each is listed, exit 1; a rebuild
    repairs all of it."""
    world = build_world(app)
    indexer.apply(app)
    engine = indexer.engine_for(app)
    gone, changed = world.items[0], world.items[5]
    stored = next(d for d in engine.stored_documents() if d.key == f"item:{gone}")
    ghost = _ghost_document(app, gone)
    with engine.writer_lock():
        engine.write(engine.current_path(), [("key", f"item:{gone}")], [ghost])
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    edit(app, changed, "Patients want to know who reads what")
    with app.app_context():
        db.session.execute(sa.delete(IndexOutbox))  # the outbox cut
        db.session.commit()

    result = index(runner, "check")
    assert result.exit_code == 1, result.output
    lines = set(result.output.splitlines())
    assert f"missing: {stored.doc_id}" in lines
    assert f"extra: {ghost.doc_id}" in lines
    assert any(line.startswith(f"stale: item:{changed}:") for line in lines)
    assert "Run `notesbase index apply`, or `notesbase index rebuild`." in result.output

    assert index(runner, "apply").output.strip() == "Applied 0 outbox rows."
    assert index(runner, "check").exit_code == 1  # nothing in the outbox to replay
    assert index(runner, "rebuild").exit_code == 0
    result = index(runner, "check")
    assert result.exit_code == 0, result.output


def _ghost_document(app, item_id: int):
    """A document for an item that does not exist (id far beyond any)."""
    from notesbase.search.documents import Builder

    with app.app_context():
        builder = Builder(db.session)
        item = db.session.get(Item, item_id)
        meeting = next(builder.meetings([item.meeting_id]))
        document = builder.item_documents(meeting, [item])[0]
    ghost_id = item_id + 10_000
    return replace(
        document,
        doc_id=f"item:{ghost_id}:{'+'.join(document.audiences)}",
        key=f"item:{ghost_id}",
        target=ghost_id,
    )


def test_apply_drains_the_outbox_and_counts_the_rows(app, runner):
    """Rows committed without being applied are applied by the command, which
    says how many; the index is then in step, and a second apply finds none."""
    world = build_world(app)
    indexer.apply(app)
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    edit(app, world.items[1], "Raj Patel argued for a public register")
    edit(app, world.items[6], "What did Jane Doe mean by consent, exactly?")
    assert index(runner, "check").exit_code == 1
    result = index(runner, "apply")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Applied 2 outbox rows."
    assert index(runner, "check").exit_code == 0
    assert index(runner, "apply").output.strip() == "Applied 0 outbox rows."


def test_check_without_an_index_says_what_to_run(app, runner):
    """No index at all: a clear message and a non-zero exit, no traceback."""
    result = index(runner, "check")
    assert result.exit_code == 1
    assert "notesbase index rebuild" in result.output
    assert "Traceback" not in result.output
