"""The database: one SQLAlchemy engine per app, one session per request."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy_lite import SQLAlchemy

db = SQLAlchemy()


def init_app(app: Flask) -> None:
    url = sa.make_url(app.config["DATABASE_URL"])
    options: dict[str, Any] = {"url": url}
    if url.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True
    app.config["SQLALCHEMY_ENGINES"] = {"default": options}
    db.init_app(app)
    if url.get_backend_name() == "sqlite":
        with app.app_context():
            _tune_sqlite(db.engine, float(app.config["SQLITE_BUSY_TIMEOUT"]))


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
        connection.exec_driver_sql("BEGIN")
