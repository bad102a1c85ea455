"""Alembic environment for notesbase.

Runs on a connection handed in through ``config.attributes["connection"]``
(the ``notesbase db`` commands and the tests do this), else on the engine of
an app built by the factory, so plain ``alembic upgrade head`` works too."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from notesbase.models import Base
from notesbase.models.base import UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write the project's column types as plain SQLAlchemy ones, so migrations
    never import application code that may change after them."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from notesbase import create_app
    from notesbase.db import db
    from notesbase.migrate import migration_connection

    with create_app().app_context(), migration_connection(db.engine) as connection:
        run_on(connection)


if context.is_offline_mode():
    raise SystemExit("notesbase migrations run online only: use 'notesbase db upgrade'.")
run_migrations_online()
