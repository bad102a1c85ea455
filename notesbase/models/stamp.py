"""The disclosure stamp: a token the database changes whenever people or
consents change, so a process may keep the facts ``disclose`` reads (every
person, every active grant) between requests and still see a withdrawal on
the very next one.

Triggers on ``people`` and ``consents`` give the single row a new random
token in the same transaction as the change, whatever wrote it (the app, a
command, another process or plain SQL). A token is random rather than
counted, so a rolled-back change never hands its token to a later one. A
reader that finds the token it loaded its facts under knows nothing they are
made of has changed since. ``STAMP_TRIGGERS`` names the triggers: a reader
that does not find them all (a copy of the schema without them, say) keeps
nothing and reads the facts every time.

``install`` creates the triggers, on a schema made from the models
(``create_all``, as the tests do) and in migration 0004; a change to them
needs a migration that installs them again."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from notesbase.models.base import Base

WATCHED = ("people", "consents")
# SQLite triggers fire for one event each; PostgreSQL's take several.
SQLITE_EVENTS = ("insert", "update", "delete")
STAMP_TRIGGERS = {
    "sqlite": tuple(f"disclosure_stamp_{t}_{e}" for t in WATCHED for e in SQLITE_EVENTS),
    "postgresql": tuple(f"disclosure_stamp_{t}" for t in WATCHED),
}
POSTGRES_FUNCTION = "disclosure_stamp_touch"


class DisclosureStamp(Base):
    """One row (id 1): the token of the current people and consents."""

    __tablename__ = "disclosure_stamp"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(40))


def sqlite_statements() -> list[str]:
    touch = (
        "INSERT INTO disclosure_stamp (id, token) VALUES (1, lower(hex(randomblob(16))))"
        " ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS disclosure_stamp_{table}_{event}"
        f" AFTER {event.upper()} ON {table} BEGIN {touch} END"
        for table in WATCHED
        for event in SQLITE_EVENTS
    ]


def postgres_statements() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION disclosure_stamp_touch() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO disclosure_stamp (id, token)"
        " VALUES (1, md5(random()::text || clock_timestamp()::text))"
        " ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;"
        " RETURN NULL; END $$"
    ]
    for table in WATCHED:
        statements += [
            f"DROP TRIGGER IF EXISTS disclosure_stamp_{table} ON {table}",
            f"CREATE TRIGGER disclosure_stamp_{table}"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_FUNCTION}()",
        ]
    return statements


def install(connection: sa.Connection) -> None:
    """Create the triggers and the row, once the three tables exist
    (idempotent; other databases get none, and their readers keep nothing)."""
    name = connection.dialect.name
    statements = {"sqlite": sqlite_statements, "postgresql": postgres_statements}.get(name)
    inspector = sa.inspect(connection)
    if statements is None or not all(
        inspector.has_table(table) for table in (*WATCHED, DisclosureStamp.__tablename__)
    ):
        return
    for statement in statements():
        connection.exec_driver_sql(statement)
    connection.execute(
        sa.text(
            "INSERT INTO disclosure_stamp (id, token) VALUES (1, :token) ON CONFLICT DO NOTHING"
        ),
        {"token": secrets.token_hex(16)},
    )


@sa.event.listens_for(Base.metadata, "after_create")
def _after_create(_target: sa.MetaData, connection: sa.Connection, **_kw: object) -> None:
    install(connection)


@sa.event.listens_for(Base.metadata, "after_drop")
def _after_drop(_target: sa.MetaData, connection: sa.Connection, **_kw: object) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION}()")


# The token, and how many of the named triggers are there and enabled.
_TOKEN_QUERIES = {
    "sqlite": "SELECT token, (SELECT count(*) FROM sqlite_master"
    " WHERE type = 'trigger' AND name IN :names) FROM disclosure_stamp WHERE id = 1",
    "postgresql": "SELECT token, (SELECT count(*) FROM pg_trigger"
    " WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname IN :names)"
    " FROM disclosure_stamp WHERE id = 1",
}


def current_token(executor: sa.Connection | Session, dialect: str) -> str | None:
    """The stamp's token, or None when a change could go unnoticed (a
    trigger or the row missing): then nothing may be kept. Read through a
    session, changes waiting in it are flushed first, as for any query."""
    triggers = STAMP_TRIGGERS.get(dialect)
    if triggers is None:
        return None
    statement = sa.text(_TOKEN_QUERIES[dialect])
    row = executor.execute(
        statement.bindparams(sa.bindparam("names", expanding=True)), {"names": list(triggers)}
    ).first()
    if row is None or row[1] != len(triggers):
        return None
    return str(row[0])
