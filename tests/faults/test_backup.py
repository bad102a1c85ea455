"""``notesbase backup`` and ``notesbase restore``: a copy taken while the app
writes is consistent, restoring it into a fresh instance gives the same
tables and a sound search index, and a bad backup changes nothing.

Runs on the suite's engine: SQLite, or PostgreSQL (fresh databases of its
own, with ``pg_dump``/``pg_restore``) when ``NOTESBASE_TEST_DATABASE_URL``
is set."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.backup.folder import MANIFEST, NOTES_FOLDER, PG_FILE, SQLITE_FILE
from notesbase.db import db, will_write
from notesbase.migrate import head_revision
from notesbase.models import AuditEvent, Base, Item, Meeting, Series
from notesbase.notes import items as item_service
from notesbase.notes.notes_import import export_notes
from tests.faults.backup_support import ON_POSTGRES, new_instances, populate, run, tools_or_skip
from tests.search.procs_support import item_fields

# The instances follow the suite's engine (``ON_POSTGRES``).
pytestmark = pytest.mark.database
DATABASE_FILE = PG_FILE if ON_POSTGRES else SQLITE_FILE


@dataclass
class Backups:
    """A populated source, a backup taken while it was being edited
    (``busy``) and one taken after (``quiet``); the source is left as the
    quiet backup has it."""

    source: Flask
    folder: Path
    busy: Path
    quiet: Path


@pytest.fixture(scope="module")
def backups(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Backups]:
    tools_or_skip()
    folder = tmp_path_factory.mktemp("backups")
    made = new_instances(folder, request)
    try:
        source = made.make("source")
        ids = populate(source)
        editor = Editor(source, ids)
        editor.start()
        try:
            while editor.edits < 3 and editor.error is None and editor.is_alive():
                threading.Event().wait(0.01)
            busy = run(source, "backup", str(folder / "busy"))
        finally:
            editor.stop.set()
            editor.join(timeout=30)
        assert editor.error is None, editor.error
        assert busy.exit_code == 0, busy.output
        quiet = run(source, "backup", str(folder / "quiet"))
        assert quiet.exit_code == 0, quiet.output
        yield Backups(source, folder, folder / "busy", folder / "quiet")
    finally:
        made.close()


def without_backups(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows without the audit log's record of each backup, which is written
    once the backup is complete: the source holds one more than its backup."""
    action = [column.name for column in AuditEvent.__table__.columns].index("action")
    kept = [row for row in rows["audit_events"] if row[action] != "backup.write"]
    return {**rows, "audit_events": kept}


def tables(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema revision), in key order."""
    with app.app_context():
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [
                tuple(r) for r in db.session.execute(sa.select(table).order_by(*order))
            ]
        revision: list[tuple[Any, ...]] = []
        if sa.inspect(db.engine).has_table("alembic_version"):
            query = sa.text("SELECT version_num FROM alembic_version")
            revision = [tuple(r) for r in db.session.execute(query)]
        rows["alembic_version"] = revision
        db.session.rollback()
    return rows


def counts(app: Flask) -> dict[str, int]:
    return {name: len(rows) for name, rows in tables(app).items() if name != "alembic_version"}


def exports(app: Flask) -> dict[str, str]:
    with app.app_context():
        meetings = db.session.scalars(sa.select(Meeting)).all()
        return {f"{m.series.slug}-{m.number}-notes.md": export_notes(m) for m in meetings}


def index_is_sound(app: Flask) -> None:
    result = run(app, "index", "check")
    assert result.exit_code == 0, result.output
    assert " 0 missing, 0 extra, 0 stale" in result.output


class Editor(threading.Thread):
    """Commits item edits, one after another, until told to stop: the app
    at work while the backup runs."""

    def __init__(self, app: Flask, ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.app, self.ids = app, ids
        self.stop = threading.Event()
        self.edits = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                will_write()  # as the app's own writes: a read then a write waits its turn
                while not self.stop.is_set():
                    item = db.session.get(Item, self.ids[self.edits % len(self.ids)])
                    assert item is not None
                    body = f"{item.body.split(' [')[0]} [edit {self.edits}]"
                    item_service.update_item(item, item_fields(item, body=body), actor=None)
                    db.session.commit()
                    self.edits += 1
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            with self.app.app_context():
                db.session.close()


def test_a_backup_taken_while_writing_is_one_snapshot(backups, instances):
    """A backup while another thread commits edits: its manifest counts, its
    notes files and its database agree; restored into a fresh instance (an
    empty database) the search index is rebuilt and sound."""
    busy = backups.busy
    manifest = json.loads((busy / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "notesbase-backup"
    assert manifest["schema_revision"] == head_revision()
    assert manifest["database"]["engine"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert set(manifest["files"]) == {DATABASE_FILE, *manifest["notes"]}
    assert sorted(manifest["notes"]) == [
        f"{NOTES_FOLDER}/board-1-notes.md",
        f"{NOTES_FOLDER}/cop-1-notes.md",
        f"{NOTES_FOLDER}/cop-2-notes.md",
    ]
    assert not list(backups.folder.glob(".busy.partial-*"))
    assert busy.stat().st_mode & 0o077 == 0  # the owner's alone

    target = instances.make("target", schema=None)
    result = run(target, "restore", str(busy))
    assert result.exit_code == 0, result.output
    assert "search index rebuilt" in result.output
    # One snapshot: what the manifest counted and the notes files say is
    # exactly what the restored database holds.
    assert counts(target) == manifest["counts"]
    assert exports(target) == {
        name.split("/")[1]: (busy / name).read_text(encoding="utf-8") for name in manifest["notes"]
    }
    assert tables(target)["items"] != tables(backups.source)["items"]  # edits went on
    index_is_sound(target)


def test_a_restore_over_data_needs_yes_and_gives_every_row_back(backups, instances):
    """Over a database with data, restore refuses without --yes and changes
    nothing; with it, every table equals the source row for row, and search
    works on the rebuilt index."""
    target = instances.make("target", schema="create_all")
    with target.app_context():
        db.session.add(Series(slug="mine", title="Mine"))
        db.session.commit()
    before = tables(target)
    result = run(target, "restore", str(backups.quiet))
    assert result.exit_code == 1
    assert "already holds data" in result.output and "--yes" in result.output
    assert tables(target) == before

    result = run(target, "restore", str(backups.quiet), "--yes")
    assert result.exit_code == 0, result.output
    assert without_backups(tables(target)) == without_backups(tables(backups.source))
    index_is_sound(target)
    found = target.test_client().get("/api/v1/search?q=spending")
    assert found.status_code == 200
    assert [hit["type"] for hit in found.get_json()["results"]] == ["writeup"]


def _rewrite_manifest(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _corrupt_database(folder: Path) -> None:
    data = bytearray((folder / DATABASE_FILE).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    (folder / DATABASE_FILE).write_bytes(bytes(data))


def _truncate_database(folder: Path) -> None:
    with (folder / DATABASE_FILE).open("r+b") as handle:
        handle.truncate(100)


def _other_engine(manifest: dict[str, Any]) -> None:
    manifest["database"]["engine"] = "sqlite" if ON_POSTGRES else "postgresql"


BAD_BACKUPS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "no folder": (lambda f: f.rename(f.with_name("moved")), "no such backup folder"),
    "no manifest": (lambda f: (f / MANIFEST).unlink(), "not a notesbase backup"),
    "manifest not JSON": (
        lambda f: (f / MANIFEST).write_text("{not json", encoding="utf-8"),
        "cannot be read",
    ),
    "not our manifest": (
        lambda f: (f / MANIFEST).write_text('{"format": "other"}', encoding="utf-8"),
        "not a notesbase backup manifest",
    ),
    "another schema revision": (
        lambda f: _rewrite_manifest(f, lambda m: m.update(schema_revision="0002")),
        "schema revision '0002'",
    ),
    "another engine": (
        lambda f: _rewrite_manifest(f, _other_engine),
        "restore into the same kind",
    ),
    "corrupt database file": (_corrupt_database, "does not match its checksum"),
    "half-written database file": (_truncate_database, "does not match its checksum"),
    "database file missing": (lambda f: (f / DATABASE_FILE).unlink(), "is missing"),
    "file outside the folder": (
        lambda f: _rewrite_manifest(
            f, lambda m: m["files"].update({"../elsewhere": {"sha256": "0"}})
        ),
        "is missing",
    ),
}


def test_a_bad_backup_is_refused_and_changes_nothing(backups, instances, tmp_path):
    """Each kind of bad backup: exit status 1, one line saying what is
    wrong, the target's tables untouched (even with --yes)."""
    good = backups.quiet
    target = instances.make("target", schema="create_all")
    with target.app_context():
        db.session.add(Series(slug="kept", title="Kept"))
        db.session.commit()
    before = tables(target)
    for case, (damage, message) in BAD_BACKUPS.items():
        folder = tmp_path / case.replace(" ", "-")
        folder.mkdir()
        for file in good.rglob("*"):
            if file.is_file():
                (folder / file.relative_to(good)).parent.mkdir(parents=True, exist_ok=True)
                (folder / file.relative_to(good)).write_bytes(file.read_bytes())
        damage(folder)
        result = run(target, "restore", str(folder), "--yes")
        assert result.exit_code == 1, (case, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (case, result.output)
        assert message in lines[0], (case, lines[0])
        assert tables(target) == before, case


def test_backup_refuses_an_existing_folder_and_a_database_without_revision(
    backups, instances, tmp_path
):
    """The folder must be new; a database made without the migrations has
    no schema revision to record. Neither leaves anything behind."""
    (tmp_path / "taken").mkdir()
    result = run(backups.source, "backup", str(tmp_path / "taken"))
    assert result.exit_code == 1 and "already exists" in result.output
    assert list((tmp_path / "taken").iterdir()) == []
    unversioned = instances.make("unversioned", schema="create_all")
    result = run(unversioned, "backup", str(tmp_path / "new"))
    assert result.exit_code == 1 and "no schema revision" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken", "unversioned"]


def test_without_pg_dump_the_backup_says_what_to_install(backups, tmp_path, monkeypatch):
    """No pg_dump on PATH: on PostgreSQL, exit 1 with what to install, and no
    folder; on SQLite no outside tool is needed, and the backup is made."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run(backups.source, "backup", str(tmp_path / "b"))
    if ON_POSTGRES:
        assert result.exit_code == 1
        assert "pg_dump is not on PATH" in result.output and "postgresql-client" in result.output
        assert not (tmp_path / "b").exists()
    else:
        assert result.exit_code == 0, result.output
        assert (tmp_path / "b" / "manifest.json").is_file()
