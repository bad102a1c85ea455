"""A database lock held by another connection, for the tests of what a
write does when it cannot get the database in time."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

import sqlalchemy as sa

# The longest a PostgreSQL lock is held, should the app wait without a timeout.
GUARD_SECONDS = 20


@contextlib.contextmanager
def write_lock(app) -> Iterator[None]:
    """Another connection holding the lock a new item needs: SQLite's write
    lock (BEGIN IMMEDIATE), or on PostgreSQL the items table locked against
    writers (readers go on)."""
    url = sa.make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database or "", isolation_level=None, check_same_thread=False)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
        finally:
            holder.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("LOCK TABLE items IN EXCLUSIVE MODE"))
            # Should the app wait without a timeout, let go in the end (and fail).
            guard = threading.Timer(GUARD_SECONDS, connection.rollback)
            guard.start()
            try:
                yield
            finally:
                guard.cancel()
                guard.join()
                connection.rollback()
    finally:
        engine.dispose()
