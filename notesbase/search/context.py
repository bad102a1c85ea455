"""What index work runs with: this app's ``Engine`` (one per app, made from
its settings), whether it may use Whoosh's private internals (decided and
said once, at start-up), and a database session of its own."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from notesbase.db import db
from notesbase.search import whoosh_internals
from notesbase.search.engine import Engine

# One logger for keeping the index in step with the database, whichever
# module does the work (its name is older than the modules sharing it).
log = logging.getLogger("notesbase.search.indexer")

EXTENSION = "notesbase.search"
INTERNALS = "notesbase.search.whoosh_internals"


def engine_for(app: Flask) -> Engine:
    engine = app.extensions.get(EXTENSION)
    if engine is None:
        root = app.config.get("SEARCH_INDEX_PATH") or Path(app.instance_path) / "search"
        engine = Engine(
            Path(root),
            lock_timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]),
            cache_bytes=int(float(app.config["SEARCH_CACHE_MB"]) * (1 << 20)),
            internals=use_internals(app),
        )
        app.extensions[EXTENSION] = engine
    return engine


def use_internals(app: Flask) -> bool:
    """Whether this app reads and writes the index through Whoosh's private
    internals (``whoosh_internals``): only on the whoosh-reloaded version
    they were written for, and unless ``SEARCH_WHOOSH_INTERNALS`` is off.
    Otherwise it uses Whoosh's public API (``whoosh_public``), and says so
    in one line. Decided once per app (at start-up: ``search.register``)."""
    decided = app.extensions.get(INTERNALS)
    if decided is None:
        decided = False
        installed = whoosh_internals.installed_version()
        if not app.config["SEARCH_WHOOSH_INTERNALS"]:
            log.info(
                "search reads and writes its index through Whoosh's public API"
                " (SEARCH_WHOOSH_INTERNALS is off): slower, the same answers"
            )
        elif not whoosh_internals.supported():
            log.warning(
                "search: %s is installed, but the fast index reader and writer were written"
                " for %s %s; reading and writing through Whoosh's public API instead"
                " (slower, the same answers)",
                installed,
                whoosh_internals.DISTRIBUTION,
                whoosh_internals.WRITTEN_FOR,
            )
        else:
            decided = True
        app.extensions[INTERNALS] = decided
    return bool(decided)


@contextlib.contextmanager
def own_session(app: Flask) -> Iterator[Session]:
    """A session of its own in an app context of its own: index work runs
    after a commit, inside the committing session's hooks, where that
    session may not be used; code it calls (write-ups) uses ``db.session``,
    which here is this one."""
    with app.app_context():
        yield db.session
