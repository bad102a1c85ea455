"""The database: one SQLAlchemy engine per app, one session per request.

Several processes share the database, so every wait is bounded: a SQLite
connection waits ``SQLITE_BUSY_TIMEOUT`` for the write lock, a PostgreSQL
statement ``DATABASE_LOCK_TIMEOUT`` for a row or table lock and a new
connection ``DATABASE_CONNECT_TIMEOUT`` for the server. What fails after that
is "unavailable" (see ``is_unavailable``): the request answers 503, never 500."""

from __future__ import annotations

import sqlite3
from inspect import iscoroutinefunction
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_app_context, request
from flask_sqlalchemy_lite import SQLAlchemy

db = SQLAlchemy()

# Methods that change nothing; any other request may write.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_INTENT = "database_write_intent"

# PostgreSQL SQLSTATEs that mean "busy or unavailable, try again": every
# connection exception (class 08) and these.
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "53300",  # too_many_connections
        "55P03",  # lock_not_available (lock_timeout)
        "57014",  # query_canceled (statement_timeout)
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up or shutting down)
    }
)
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def init_app(app: Flask) -> None:
    url = sa.make_url(app.config["DATABASE_URL"])
    # Errors name the statement but never its values (note text, emails).
    options: dict[str, Any] = {"url": url, "hide_parameters": True}
    if url.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True
        options["pool_timeout"] = float(app.config["DATABASE_CONNECT_TIMEOUT"])
        options["connect_args"] = _postgres_connect_args(url, app.config)
    app.config["SQLALCHEMY_ENGINES"] = {"default": options}
    db.init_app(app)
    _drop_async_teardown(app)
    if url.get_backend_name() == "sqlite":
        app.before_request(_note_write_intent)
        with app.app_context():
            _tune_sqlite(db.engine, float(app.config["SQLITE_BUSY_TIMEOUT"]))


def _drop_async_teardown(app: Flask) -> None:
    """Flask-SQLAlchemy-Lite registers an async teardown for async sessions,
    which Flask runs through asgiref: a new thread and event loop at the end
    of every app context (a search took 2.5 ms less without it). notesbase
    configures no async engine, so there is never an async session to close."""
    if app.config.get("SQLALCHEMY_ASYNC_ENGINES"):
        return
    app.teardown_appcontext_funcs[:] = [
        func
        for func in app.teardown_appcontext_funcs
        if not (iscoroutinefunction(func) and func.__module__.startswith("flask_sqlalchemy_lite"))
    ]


def _postgres_connect_args(url: sa.URL, config: Any) -> dict[str, Any]:
    """libpq's connect timeout (unless the URL sets one), and lock and
    statement timeouts for every session (after any ``options`` the URL sets)."""
    if url.get_driver_name() not in ("psycopg", "psycopg2"):
        return {}
    # 0 sets nothing, leaving the server's (or the role's) own setting.
    settings = [
        f"-c {name}={_milliseconds(config[key])}"
        for name, key in (
            ("lock_timeout", "DATABASE_LOCK_TIMEOUT"),
            ("statement_timeout", "DATABASE_STATEMENT_TIMEOUT"),
        )
        if _milliseconds(config[key]) > 0
    ]
    given = url.query.get("options")
    if given:
        settings.insert(0, given if isinstance(given, str) else " ".join(given))
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:  # libpq: whole seconds, at least 2
        args["connect_timeout"] = max(2, round(float(config["DATABASE_CONNECT_TIMEOUT"])))
    if settings:
        args["options"] = " ".join(settings)
    return args


def _milliseconds(seconds: Any) -> int:
    return max(0, round(float(seconds) * 1000))


def _note_write_intent() -> None:
    """A request that may write takes SQLite's write lock when its first
    transaction begins (see ``_tune_sqlite``). Kept in ``g``: work done in an
    app context of its own (the search indexer's reads) stays deferred."""
    if request.method not in SAFE_METHODS:
        setattr(g, _WRITE_INTENT, True)


def _tune_sqlite(engine: sa.Engine, busy_timeout: float) -> None:
    """WAL, foreign keys and a busy timeout on every connection; and let
    SQLAlchemy, not the driver, begin transactions so SAVEPOINTs work."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten, so a purged confidential text leaves no copy.
        cursor.execute("PRAGMA secure_delete = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        # A deferred transaction that reads and then writes cannot wait for
        # the write lock: if another process holds it (or committed since the
        # read), SQLite fails at once with "database is locked", whatever the
        # busy timeout. Taking the lock at BEGIN waits for it instead.
        if has_app_context() and g.get(_WRITE_INTENT):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is busy or out of reach for now
    (locked, timed out, cannot connect, connection lost, shutting down), so
    the same request may succeed later, rather than a fault in the request."""
    if isinstance(error, sa.exc.TimeoutError):  # no pooled connection came free
        return True
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY_CODES
        return "is locked" in str(original)
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES
    # A PostgreSQL driver error without a SQLSTATE never reached the server.
    return isinstance(error, sa.exc.OperationalError) and _is_postgres_driver_error(original)


def is_unreachable(error: BaseException) -> bool:
    """Whether the database could not be reached at all (as opposed to busy):
    then nothing more should be asked of it in this request."""
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if sqlstate:
        return sqlstate.startswith("08") or sqlstate.startswith("57P")
    return error.connection_invalidated or (
        isinstance(error, sa.exc.OperationalError) and _is_postgres_driver_error(error.orig)
    )


def _is_postgres_driver_error(original: BaseException) -> bool:
    module = type(original).__module__.split(".")[0]
    return module in ("psycopg", "psycopg2")


def unavailable_summary(error: BaseException) -> str:
    """A one-line description of an unavailable database for the log: the
    driver's error class and first line, never the statement or its values."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0][:200]
    return f"{type(original).__name__}: {first_line}"
