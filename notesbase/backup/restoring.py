"""``notesbase restore PATH``: everything checked before anything changes,
then the database replaced and the search index rebuilt from it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from notesbase.backup.folder import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PG_FILE,
    SQLITE_FILE,
    BackupError,
    inside,
    libpq_url,
    postgres_tool,
    run_tool,
    sha256,
    sqlite_path,
)
from notesbase.db import db
from notesbase.migrate import head_revision
from notesbase.models import Base


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite a database that already holds data.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Restore the backup in folder PATH (written by ``notesbase backup``)
    into the configured database, then rebuild the search index. Stop the
    app first."""
    from notesbase.search import indexer

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    manifest = read_backup(path, db.engine.dialect.name)
    if not yes and holds_data():
        raise BackupError(
            "the database already holds data: restoring replaces all of it; add --yes to go ahead"
        )
    db.session.close()
    if manifest["database"]["engine"] == "sqlite":
        _restore_sqlite(path / SQLITE_FILE)
    else:
        _restore_postgres(path / PG_FILE)
    db.engine.dispose()
    documents = indexer.rebuild(app)
    click.echo(
        f"Restored {path} (revision {manifest['schema_revision']},"
        f" {manifest['counts'].get('items', 0)} items); search index rebuilt"
        f" ({documents} documents)."
    )


def read_backup(path: Path, engine: str) -> dict[str, Any]:
    """The manifest of backup ``path``, once every check passes."""
    if not path.is_dir():
        raise BackupError(f"{path}: no such backup folder")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: no {MANIFEST}; not a notesbase backup") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path}/{MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}/{MANIFEST} is not a notesbase backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format_version')!r} is not supported")
    database = manifest.get("database")
    files = manifest.get("files")
    if not isinstance(database, dict) or not isinstance(files, dict):
        raise BackupError(f"{path}/{MANIFEST} is incomplete (database, files)")
    head = head_revision()
    if manifest.get("schema_revision") != head:
        raise BackupError(
            f"the backup is at schema revision {manifest.get('schema_revision')!r}, this"
            f" notesbase at {head!r}: restore it with the notesbase version that wrote it"
            f" ({manifest.get('app_version')}), then upgrade"
        )
    if database.get("engine") != engine:
        raise BackupError(
            f"the backup is of a {database.get('engine')} database, the configured one is"
            f" {engine}: restore into the same kind"
        )
    expected = SQLITE_FILE if engine == "sqlite" else PG_FILE
    if database.get("file") != expected or expected not in files:
        raise BackupError(f"{path}/{MANIFEST} does not list {expected}")
    for name, facts in files.items():
        file = path / name
        if not inside(path, file) or not file.is_file():
            raise BackupError(f"{path}: {name} is missing")
        if not isinstance(facts, dict) or sha256(file) != facts.get("sha256"):
            raise BackupError(f"{path}: {name} does not match its checksum (corrupt or changed)")
    return manifest


def holds_data() -> bool:
    """Whether any table of the configured database has a row."""
    existing = set(sa.inspect(db.engine).get_table_names())
    session = db.session
    try:
        for table in Base.metadata.sorted_tables:
            if (
                table.name in existing
                and session.execute(sa.select(1).select_from(table).limit(1)).first()
            ):
                return True
        return False
    finally:
        session.rollback()


def _restore_sqlite(backup: Path) -> None:
    """Copy beside the live file, check it, then swap it in with a rename.
    The live file's write-ahead log is emptied first: one left behind would
    be replayed onto the restored database."""
    target = sqlite_path(db.engine.url)
    db.engine.dispose()
    temporary = target.with_name(f".{target.name}.restore-{os.getpid()}")
    shutil.copyfile(backup, temporary)
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as check:
            problems = check.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{backup} failed its integrity check: {problems[0][0]}")
        if target.exists():
            with contextlib.closing(sqlite3.connect(target, timeout=5)) as live:
                busy = live.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy and busy[0]:
                raise BackupError("the database is in use: stop the app, then restore")
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _restore_postgres(dump: Path) -> None:
    """``pg_restore --clean`` in one transaction: all of it or nothing."""
    pg_restore = postgres_tool("pg_restore")
    db.engine.dispose()
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={libpq_url(db.engine.url)}",
        str(dump),
    ]
    run_tool(command, "pg_restore")
