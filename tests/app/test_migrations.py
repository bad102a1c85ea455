"""Alembic migrations match the models on both engines and go down again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from notesbase import create_app, migrate
from notesbase.db import db
from notesbase.models import Base
from tests.conftest import make_test_config


def _differences(engine: sa.Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _round_trip(url: str, tmp_path) -> None:
    app = create_app(make_test_config(tmp_path, url))
    with app.app_context():
        engine = db.engine
        migrate.upgrade(engine, "head")
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _differences(engine) == []
        assert _tables(engine) >= {t.name for t in Base.metadata.sorted_tables}
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert _tables(engine) <= {"alembic_version"}
        migrate.upgrade(engine, "head")  # and up again after coming down
        assert _differences(engine) == []
        engine.dispose()


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    """An empty SQLite database upgraded to head equals the models; base empties it."""
    _round_trip(f"sqlite:///{tmp_path / 'migrated.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_postgres_upgrade_matches_models_and_downgrades(postgres_database, tmp_path):
    """The same on an empty PostgreSQL database."""
    _round_trip(postgres_database.render_as_string(hide_password=False), tmp_path)


def test_single_head():
    """Migrations form one line: no branches waiting to be merged."""
    from alembic.script import ScriptDirectory

    assert len(ScriptDirectory.from_config(migrate.alembic_config()).get_heads()) == 1


def test_db_commands(tmp_path):
    """`notesbase db upgrade/current/downgrade` move and report the schema."""
    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'cli.sqlite3'}"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0 and "base (empty)" in result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = migrate.head_revision()
    assert f"at revision {head}" in result.output
    assert "up to date" in runner.invoke(args=["db", "current"]).output
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0 and "at revision base" in result.output
    result = runner.invoke(args=["db", "upgrade", "no-such-revision"])
    assert result.exit_code != 0
    assert "no-such-revision" in result.output


def test_migrations_keep_data_on_sqlite(tmp_path):
    """Upgrading an already-current database with rows in it keeps them."""
    url = f"sqlite:///{tmp_path / 'keep.sqlite3'}"
    app = create_app(make_test_config(tmp_path, url))
    with app.app_context():
        migrate.upgrade(db.engine)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO series (slug, title, description, created_at, updated_at)"
                    " VALUES ('s', 'S', '', '2025-01-01', '2025-01-01')"
                )
            )
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM series")).scalar() == 1
        db.engine.dispose()


def test_plain_alembic_uses_the_app_factory(tmp_path):
    """`alembic upgrade head` with no connection handed in builds the app to find the database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env["NOTESBASE_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'notesbase.sqlite3'}")
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()
