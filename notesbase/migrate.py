"""Schema migrations: Alembic, driven from the app's own engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from notesbase import resource_dir
from notesbase.command_group import CommandGroup
from notesbase.db import db


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def migration_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for migrating. On SQLite, foreign keys are switched off while
    batch mode copies tables (so no cascade fires), then checked afterwards."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            yield connection
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.commit()
                if problems:
                    raise click.ClickException(f"foreign key check failed: {problems[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    with migration_connection(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    with migration_connection(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Alembic's and the database's errors as a one-line message, not a traceback."""
    try:
        yield
    except CommandError as error:
        raise click.ClickException(str(error)) from error
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig}") from error


db_cli = CommandGroup("db", help="Migrate the database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Upgrade the database to REVISION (default: the latest)."""
    with _clear_errors():
        upgrade(db.engine, revision)
    click.echo(f"Database at revision {current_revision(db.engine) or 'base'}.")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade_command(revision: str) -> None:
    """Downgrade the database to REVISION (default: one step back; 'base' for empty)."""
    with _clear_errors():
        downgrade(db.engine, revision)
    click.echo(f"Database at revision {current_revision(db.engine) or 'base'}.")


@db_cli.command("current")
def current_command() -> None:
    """Show the database's revision and whether it is the latest."""
    current = current_revision(db.engine)
    head = head_revision()
    state = "up to date" if current == head else f"latest is {head}"
    click.echo(f"{current or 'base (empty)'} ({state})")
