"""The database: one SQLAlchemy engine per app, one session per request.

Several processes share the database, so every wait is bounded: a SQLite
connection waits ``SQLITE_BUSY_TIMEOUT`` for the write lock, a PostgreSQL
statement ``DATABASE_LOCK_TIMEOUT`` for a row or table lock and a new
connection ``DATABASE_CONNECT_TIMEOUT`` for the server. What fails after that
is "unavailable" (see ``is_unavailable``): the request answers 503, never 500.

A request also keeps track of how far its writes got (``write_outcome``), so
a 503 says whether nothing was changed, the change was saved, or the
connection was lost during COMMIT and nobody can tell; and the session is
closed at the end of a request without letting a dead connection's error
escape (the answer already sent stands)."""

from __future__ import annotations

import enum
import logging
import sqlite3
from inspect import iscoroutinefunction
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_app_context, request
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import orm

db = SQLAlchemy()
log = logging.getLogger(__name__)

# Methods that change nothing; any other request may write.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_INTENT = "database_write_intent"
# Set from the moment a COMMIT is sent until it is known to have succeeded
# (or a new transaction begins); and once this request has committed changes.
_COMMIT_SENT = "database_commit_sent"
_SAVED = "database_saved"
_FLUSHED = "notesbase_flushed_changes"  # in Session.info: changes since the last commit

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
    _replace_teardown(app)
    with app.app_context():
        _track_writes(db.engine, db.sessionmaker)
    if url.get_backend_name() == "sqlite":
        app.before_request(_note_write_intent)
        with app.app_context():
            _tune_sqlite(db.engine, float(app.config["SQLITE_BUSY_TIMEOUT"]))


def _replace_teardown(app: Flask) -> None:
    """Close the request's sessions with ``close_sessions`` rather than
    Flask-SQLAlchemy-Lite's own teardown, whose ROLLBACK on a connection that
    died after the answer was made escapes every error handler (the server
    then sends a bare "Internal Server Error" in place of that answer).

    Its async teardown goes too unless async engines are configured (notesbase
    configures none): Flask runs it through asgiref, a new thread and event
    loop at the end of every app context (a search took 2.5 ms less without it)."""
    keep_async = bool(app.config.get("SQLALCHEMY_ASYNC_ENGINES"))
    app.teardown_appcontext_funcs[:] = [
        func
        for func in app.teardown_appcontext_funcs
        if not func.__module__.startswith("flask_sqlalchemy_lite")
        or (keep_async and iscoroutinefunction(func))
    ]
    app.teardown_appcontext(close_sessions)


def close_sessions(_error: BaseException | None = None) -> None:
    """Close the sessions of this app context. A session whose connection
    is gone cannot roll back; what it held was never committed, the pool
    discards the connection, and the answer already made stands."""
    sessions: dict[str, orm.Session] | None = g.pop("_sqlalchemy_sessions", None)
    for session in (sessions or {}).values():
        try:
            session.close()
        except Exception as error:
            log.warning("closing the database session failed: %s", unavailable_summary(error))
            try:
                session.invalidate()
            except Exception:
                log.debug("invalidating the session failed too", exc_info=True)


class WriteOutcome(enum.Enum):
    """What a request that met a database failure knows of its own writes."""

    UNCHANGED = "unchanged"  # nothing of this request's was committed
    UNKNOWN = "unknown"  # the connection was lost while COMMIT was on its way
    SAVED = "saved"  # its changes were committed before the failure


def _track_writes(engine: sa.Engine, sessions: orm.sessionmaker[orm.Session]) -> None:
    """Note in ``g`` when a COMMIT is sent and when one that carried changes
    succeeded: ``write_outcome`` reads them."""

    @sa.event.listens_for(engine, "commit")
    def on_commit(_connection: sa.Connection) -> None:
        if has_app_context():
            setattr(g, _COMMIT_SENT, True)

    @sa.event.listens_for(engine, "begin")
    def on_begin(_connection: sa.Connection) -> None:
        if has_app_context():
            g.pop(_COMMIT_SENT, None)  # the last COMMIT (if any) is over

    @sa.event.listens_for(sessions, "after_flush")
    def on_flush(session: orm.Session, _context: Any) -> None:
        session.info[_FLUSHED] = True

    @sa.event.listens_for(sessions, "after_soft_rollback")
    def on_rollback(session: orm.Session, _transaction: Any) -> None:
        session.info.pop(_FLUSHED, None)

    @sa.event.listens_for(sessions, "after_commit")
    def on_session_commit(session: orm.Session) -> None:
        if not has_app_context() or session.get_nested_transaction() is not None:
            return
        g.pop(_COMMIT_SENT, None)
        if session.info.pop(_FLUSHED, False):
            setattr(g, _SAVED, True)


def forget_writes() -> None:
    """Bookkeeping committed so far (a token's last use) is not the
    request's change: a later failure must not call it saved."""
    g.pop(_SAVED, None)
    g.pop(_COMMIT_SENT, None)


def write_outcome(error: BaseException) -> WriteOutcome:
    """What ``error`` (met by this request) means for its writes. Read it
    before rolling back: a new transaction ends the COMMIT's watch."""
    if g.get(_COMMIT_SENT) and is_unreachable(error):
        return WriteOutcome.UNKNOWN
    if g.get(_SAVED):
        return WriteOutcome.SAVED
    return WriteOutcome.UNCHANGED


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


def will_write() -> None:
    """This app context's transactions take SQLite's write lock when they
    begin, as a request that may write does: for a thread or command that
    reads and then writes while others write too (see ``_tune_sqlite``)."""
    setattr(g, _WRITE_INTENT, True)


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
