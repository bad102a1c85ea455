"""A backup folder's format (its file names, manifest and version), and the
helpers writing and restoring share: the database URL's parts, the
PostgreSQL tools, checksums."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db

FORMAT = "notesbase-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
NOTES_FOLDER = "notes"
TOOL_TIMEOUT = 3600


class BackupError(click.ClickException):
    """A one-line reason; nothing was changed."""


def app_on(app: Flask, database_url: str) -> Flask:
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


def sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def postgres_tool(name: str) -> str:
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


def libpq_url(url: sa.URL) -> str:
    """The URL for libpq tools, with no password (that goes in PGPASSWORD)."""
    plain = sa.URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    return plain.render_as_string(hide_password=False)


def run_tool(command: list[str], name: str, umask: int = -1) -> None:
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


def inside(folder: Path, file: Path) -> bool:
    return file.resolve().is_relative_to(folder.resolve())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def app_version() -> str:
    try:
        return importlib.metadata.version("notesbase")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
