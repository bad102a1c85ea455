"""``notesbase backup PATH``: a consistent copy of the database while the
app runs, with a notes export, written under a temporary name and renamed
when complete."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from notesbase import audit, private_files
from notesbase.backup.folder import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    NOTES_FOLDER,
    PG_FILE,
    SQLITE_FILE,
    BackupError,
    app_on,
    app_version,
    libpq_url,
    postgres_tool,
    run_tool,
    sha256,
    sqlite_path,
)
from notesbase.db import db
from notesbase.models import Base, Meeting, Series


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup into the new folder PATH while the app runs:
    the database, a manifest and every meeting's notes file."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    manifest = write_backup(app, path)
    record_backup(path, manifest)
    counts = manifest["counts"]
    click.echo(
        f"Backed up {manifest['database']['engine']} (revision {manifest['schema_revision']}):"
        f" {counts.get('meetings', 0)} meetings, {counts.get('items', 0)} items,"
        f" {len(manifest['notes'])} notes files, to {path}"
    )


def record_backup(path: Path, manifest: dict[str, Any]) -> None:
    """Note the backup in the audit log: an erasure lists the backups taken
    before it, with the date each ages out (``BACKUP_KEEP_DAYS``)."""
    audit.record(
        "backup.write",
        "backup",
        None,
        actor=None,
        path=str(path.resolve()),
        created_at=manifest.get("created_at"),
    )
    db.session.commit()


def write_backup(app: Flask, path: Path) -> dict[str, Any]:
    """Write the backup folder ``path`` (which must not exist); its manifest."""
    if path.exists():
        raise BackupError(f"{path} already exists: give a new folder")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    private_files.make_folder(partial)
    try:
        engine = db.engine.dialect.name
        if engine == "sqlite":
            manifest = _backup_sqlite(app, partial)
        elif engine == "postgresql":
            manifest = _backup_postgres(partial)
        else:
            raise BackupError(f"cannot back up a {engine} database")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app_version": app_version(),
            **manifest,
            "files": {
                str(file.relative_to(partial)): {
                    "sha256": sha256(file),
                    "bytes": file.stat().st_size,
                }
                for file in sorted(partial.rglob("*"))
                if file.is_file()
            },
        }
        private_files.write_new(partial / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        os.replace(partial, path)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _backup_sqlite(app: Flask, folder: Path) -> dict[str, Any]:
    """The online backup API, from a connection of its own, in one step (a
    single read snapshot; writers carry on meanwhile in WAL mode)."""
    source_path = sqlite_path(db.engine.url)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}")
    # Created owner-only before SQLite opens it: its journals take its mode.
    copy = private_files.create_empty(folder / SQLITE_FILE)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        problems = target.execute("PRAGMA integrity_check").fetchall()
    finally:
        target.close()
        source.close()
    if problems != [("ok",)]:
        raise BackupError(f"the copy failed its integrity check: {problems[0][0]}")
    copy_app = app_on(app, f"sqlite:///{copy}")
    try:
        with copy_app.app_context():
            return {
                "database": {"engine": "sqlite", "file": SQLITE_FILE},
                **contents(folder),
            }
    finally:
        with copy_app.app_context():
            db.engine.dispose()
        with sqlite3.connect(copy) as connection:  # the copy app left it in WAL mode
            connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()


def _backup_postgres(folder: Path) -> dict[str, Any]:
    """``pg_dump`` of a snapshot this session exports and reads the notes in."""
    pg_dump = postgres_tool("pg_dump")
    session = db.session
    connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        command = [
            pg_dump,
            "--format=custom",
            f"--file={folder / PG_FILE}",
            f"--snapshot={snapshot}",
            "--no-password",
            f"--dbname={libpq_url(db.engine.url)}",
        ]
        run_tool(command, "pg_dump", umask=private_files.UMASK)
        return {"database": {"engine": "postgresql", "file": PG_FILE}, **contents(folder)}
    finally:
        session.rollback()


def contents(folder: Path) -> dict[str, Any]:
    """Schema revision, row counts and the notes export, read through
    ``db.session`` (the snapshot the copy was taken from)."""
    from notesbase.notes.notes_import import NotesFileError, export_notes

    session = db.session
    try:
        revision = session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        revision = None
    if revision is None:
        raise BackupError("the database has no schema revision: run `notesbase db upgrade`")
    counts = {
        table.name: int(session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for table in Base.metadata.sorted_tables
    }
    notes: list[str] = []
    skipped: list[str] = []
    private_files.make_folder(folder / NOTES_FOLDER)
    meetings = session.scalars(
        sa.select(Meeting).join(Series).order_by(Series.slug, Meeting.number)
    ).all()
    for meeting in meetings:
        name = f"{meeting.series.slug}-{meeting.number}-notes.md"
        try:
            text = export_notes(meeting)
        except NotesFileError as error:
            skipped.append(f"{name}: {error}")  # still in the database copy
            continue
        private_files.write_new(folder / NOTES_FOLDER / name, text)
        notes.append(f"{NOTES_FOLDER}/{name}")
    return {"schema_revision": revision, "counts": counts, "notes": notes, "notes_skipped": skipped}
