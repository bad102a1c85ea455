"""``notesbase backup PATH`` and ``notesbase restore PATH``: a consistent copy
of the database while the app runs, with a notes export; and bringing it back.

A backup is a new folder::

    manifest.json        format, time, app version, schema revision, row counts, checksums
    database.sqlite3     SQLite: the online backup API's copy (one self-contained file)
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``
    notes/SLUG-N-notes.md   every meeting in the notes file format (raw: facilitators only)

The copy, the counts and the notes export are one snapshot: on SQLite the
counts and the export are read from the copy; on PostgreSQL ``pg_dump`` runs
on a snapshot exported by the transaction the export reads in. The folder is
written under a temporary name and renamed when complete, so a failed backup
leaves nothing that looks like a backup. It holds password hashes and
confidential notes: every file and folder in it is created owner-only
(``private_files``), whatever the umask.

Restoring checks everything before it changes anything (manifest, schema
revision, engine, checksums, an empty database or ``--yes``), then replaces
the database and rebuilds the search index from it. On SQLite the file is
swapped in with a rename: stop the app first (a running app is refused when
it holds the database, but one that starts writing meanwhile is not seen)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.db import db
from notesbase.migrate import head_revision
from notesbase.models import Base, Meeting, Series

FORMAT = "notesbase-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
NOTES_FOLDER = "notes"
TOOL_TIMEOUT = 3600


class BackupError(click.ClickException):
    """A one-line reason; nothing was changed."""


# -- backing up ------------------------------------------------------------------


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup into the new folder PATH while the app runs:
    the database, a manifest and every meeting's notes file."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    manifest = write_backup(app, path)
    counts = manifest["counts"]
    click.echo(
        f"Backed up {manifest['database']['engine']} (revision {manifest['schema_revision']}):"
        f" {counts.get('meetings', 0)} meetings, {counts.get('items', 0)} items,"
        f" {len(manifest['notes'])} notes files, to {path}"
    )


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
            "app_version": _app_version(),
            **manifest,
            "files": {
                str(file.relative_to(partial)): {
                    "sha256": _sha256(file),
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
    source_path = _sqlite_path(db.engine.url)
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
    copy_app = _app_on(app, f"sqlite:///{copy}")
    try:
        with copy_app.app_context():
            return {
                "database": {"engine": "sqlite", "file": SQLITE_FILE},
                **_contents(folder),
            }
    finally:
        with copy_app.app_context():
            db.engine.dispose()
        with sqlite3.connect(copy) as connection:  # the copy app left it in WAL mode
            connection.execute("PRAGMA journal_mode = DELETE")
        connection.close()


def _backup_postgres(folder: Path) -> dict[str, Any]:
    """``pg_dump`` of a snapshot this session exports and reads the notes in."""
    pg_dump = _postgres_tool("pg_dump")
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
            f"--dbname={_libpq_url(db.engine.url)}",
        ]
        _run(command, "pg_dump", umask=private_files.UMASK)
        return {"database": {"engine": "postgresql", "file": PG_FILE}, **_contents(folder)}
    finally:
        session.rollback()


def _contents(folder: Path) -> dict[str, Any]:
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


# -- restoring -------------------------------------------------------------------


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
    if not yes and _holds_data():
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
        if not _inside(path, file) or not file.is_file():
            raise BackupError(f"{path}: {name} is missing")
        if not isinstance(facts, dict) or _sha256(file) != facts.get("sha256"):
            raise BackupError(f"{path}: {name} does not match its checksum (corrupt or changed)")
    return manifest


def _holds_data() -> bool:
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
    target = _sqlite_path(db.engine.url)
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
    pg_restore = _postgres_tool("pg_restore")
    db.engine.dispose()
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={_libpq_url(db.engine.url)}",
        str(dump),
    ]
    _run(command, "pg_restore")


# -- helpers ---------------------------------------------------------------------


def _app_on(app: Flask, database_url: str) -> Flask:
    """A second app like ``app`` on another database, to read a copy with
    the same code; it never writes (so never touches the search index)."""
    from notesbase import create_app

    return create_app(
        {
            "TESTING": app.config.get("TESTING", False),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "INSTANCE_PATH": app.instance_path,
            "DATABASE_URL": database_url,
            "SEARCH_APPLY_ON_COMMIT": False,
        }
    )


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _postgres_tool(name: str) -> str:
    """The path of ``pg_dump``/``pg_restore``, checked against the server's
    major version (an older tool refuses a newer server)."""
    tool = shutil.which(name)
    server = int(db.session.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    db.session.rollback()
    guidance = (
        f"install the PostgreSQL {server} client tools (`apt install postgresql-client-{server}`"
        f" or your system's equivalent) so that {name} is on PATH; or run"
        " `pg_dump --format=custom` and `pg_restore --clean` yourself"
    )
    if tool is None:
        raise BackupError(f"{name} is not on PATH: {guidance}")
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    if found is None or int(found.group(1)) < server:
        version = done.stdout.strip() or "unknown"
        raise BackupError(f"{name} ({version}) is older than the server ({server}): {guidance}")
    return tool


def _libpq_url(url: sa.URL) -> str:
    """The URL for libpq tools, with no password (that goes in PGPASSWORD)."""
    plain = sa.URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], name: str, umask: int = -1) -> None:
    env = dict(os.environ)
    password = db.engine.url.password
    if password:
        env["PGPASSWORD"] = str(password)
    try:
        done = subprocess.run(  # noqa: S603 - the tool's own path and our arguments
            command, capture_output=True, text=True, timeout=TOOL_TIMEOUT, env=env, umask=umask
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{name} took longer than {TOOL_TIMEOUT} s") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{name} failed: {lines[0] if lines else f'exit {done.returncode}'}")


def _inside(folder: Path, file: Path) -> bool:
    return file.resolve().is_relative_to(folder.resolve())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return importlib.metadata.version("notesbase")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
