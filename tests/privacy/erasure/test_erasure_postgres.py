"""On PostgreSQL: after an erasure no text column of any table holds the
person, and (where this machine can read the server's files) no byte of
them is left in the database's table files either: the erasure rewrites
every table (``VACUUM FULL``), so dead rows go with the old files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.models import Member, Person
from notesbase.privacy.erasure.plan import Choice
from notesbase.privacy.erasure.service import erase
from tests.conftest import app_on
from tests.privacy.erasure.erasure_support import (
    TERMS,
    build_world,
    circulate,
    files_under,
    forms,
    index_forms,
    leftovers,
    settle_index,
)

TEXT_TYPES = ("text", "character varying", "json", "jsonb", "character")


@pytest.fixture
def app(postgres_database: sa.URL, tmp_path: Any) -> Iterator[Flask]:
    """The app on a PostgreSQL database of this test's own."""
    with app_on(tmp_path, postgres_database.render_as_string(hide_password=False)) as app:
        yield app


def text_values(app: Flask) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text-like column of every table."""
    found = []
    with app.app_context(), db.engine.connect() as connection:
        columns = connection.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND data_type IN :types"
            ).bindparams(sa.bindparam("types", expanding=True)),
            {"types": list(TEXT_TYPES)},
        ).all()
        for table, column in columns:
            query = f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL'  # noqa: S608 - names from the catalog
            found += [(table, column, v) for (v,) in connection.exec_driver_sql(query)]
    return found


def naming(values: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    needles = {t.casefold() for t in TERMS}
    return [v for v in values if any(n in v[2].casefold() for n in needles)]


def table_files(app: Flask) -> list[Path] | None:
    """The files of this database under the server's data folder, after a
    checkpoint; None when they cannot be read here."""
    with app.app_context(), db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            autocommit.exec_driver_sql("CHECKPOINT")
            folder = autocommit.exec_driver_sql("SHOW data_directory").scalar_one()
        except sa.exc.DBAPIError:
            return None
        oid = autocommit.exec_driver_sql(
            "SELECT oid FROM pg_database WHERE datname = current_database()"
        ).scalar_one()
    base = Path(folder) / "base" / str(oid)
    if not base.is_dir() or not os.access(base, os.R_OK | os.X_OK):
        return None
    return files_under(base)


def test_no_text_column_or_table_file_keeps_the_person(app, make_member, make_series):
    """Every text column of every table, and the table files, before and after."""
    world = build_world(app, make_member, make_series)
    circulate(app)
    index = settle_index(app)
    assert naming(text_values(app)), "the database should name her first"
    needles = set().union(*(forms(t) for t in TERMS))
    before = table_files(app)
    assert before is None or leftovers(before, needles), "the table files should hold her first"
    with app.app_context():
        person = db.session.get(Person, world.person)
        admin = db.session.scalar(sa.select(Member).where(Member.email == "admin@example.org"))
        result = erase(person, Choice.REMOVE, None, actor=admin)
    settle_index(app)
    assert result.count(Choice.REMOVE) >= 2
    assert naming(text_values(app)) == []
    index_needles = set().union(*(index_forms(app, t) for t in TERMS))
    assert leftovers(files_under(index), index_needles | needles) == []
    assert leftovers(files_under(Path(app.instance_path)), needles) == []
    files = table_files(app)
    if files is None:
        pytest.skip("the server's data folder cannot be read here: the SQL scan above ran")
    assert leftovers(files, needles) == []
