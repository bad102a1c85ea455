"""What the backup tests and the private-files tests share: apps with a
database of their own on the suite's engine (SQLite files, or fresh
PostgreSQL databases when ``NOTESBASE_TEST_DATABASE_URL`` is set), the
search tests' world with consents to fill them, and the CLI to run."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase import create_app
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Level
from notesbase.migrate import upgrade
from notesbase.models import Base, Person, Series
from tests.conftest import (
    SUITE_DATABASE_URL,
    create_postgres_database,
    drop_postgres_database,
    make_test_config,
)
from tests.search.procs_support import build_world

ON_POSTGRES = bool(SUITE_DATABASE_URL)


class Instances:
    """Apps with an instance folder and a database of their own (SQLite
    files, or new PostgreSQL databases), dropped when done."""

    def __init__(self, folder: Path, server: sa.URL | None) -> None:
        self.folder, self.server = folder, server
        self.made: list[tuple[Flask, str | None]] = []

    def make(self, name: str, *, schema: str | None = "migrations") -> Flask:
        """A new app; its database empty (``schema=None``), made by the
        migrations, or by ``create_all`` (no schema revision)."""
        folder = self.folder / name
        database = None
        if self.server is not None:
            database = f"nb_faults_{secrets.token_hex(5)}"
            url = create_postgres_database(self.server, database)
            database_url = url.render_as_string(hide_password=False)
        else:
            database_url = f"sqlite:///{folder / 'notesbase.sqlite3'}"
        app = create_app(make_test_config(folder, database_url))
        self.made.append((app, database))
        with app.app_context():
            if schema == "migrations":
                upgrade(db.engine)
            elif schema == "create_all":
                Base.metadata.create_all(db.engine)
        return app

    def close(self) -> None:
        for app, database in self.made:
            with app.app_context():
                db.engine.dispose()
            if self.server is not None and database is not None:
                drop_postgres_database(self.server, database)


def new_instances(folder: Path, request: pytest.FixtureRequest) -> Instances:
    """Instances under ``folder``, on the suite's engine."""
    server = request.getfixturevalue("postgres_server") if ON_POSTGRES else None
    return Instances(folder, server)


def tools_or_skip() -> None:
    """Skips (fails, in CI) when PostgreSQL's client tools are missing."""
    if not ON_POSTGRES:
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not on PATH (Debian: postgresql-client)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL client tools are required in CI: {reason}")
        pytest.skip(reason)


def populate(app: Flask) -> list[int]:
    """Notes, people with consents, a published write-up, members: the
    world the search tests use, plus a named consent and a member."""
    world = build_world(app)
    with app.app_context():
        jane = db.session.get(Person, world.people["jane"])
        series = db.session.get(Series, world.series["cop"])
        grants.grant(jane, ConsentAudience.MEMBER, Level.NAMED, grants.Scope(), actor=None)
        grants.grant(
            jane,
            ConsentAudience.PUBLIC,
            Level.AFFILIATION,
            grants.Scope(series=series),
            actor=None,
        )
        db.session.commit()
    return world.items


def run(app: Flask, *args: str) -> Any:
    """``notesbase ARGS...`` against ``app``; the CLI runner's result."""
    return app.test_cli_runner().invoke(args=list(args))
