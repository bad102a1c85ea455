"""Full-text search (Whoosh), safe by construction.

- ``engine``: the only module that imports Whoosh: schema, index folders,
  one writer at a time, a reused searcher per thread;
- ``documents``: what goes into the index, from ``disclose`` only;
- ``sources``: the public texts features register for their documents
  (the published write-up), so search imports no feature;
- ``outbox``: index work committed with the change, applied after commit;
- ``indexer``: applying the outbox, rebuilding (``rebuilding``, its
  worker processes running ``notesbase.rebuild_worker``), checking;
- ``naming``: who is named where (``item_mentions``), by the matcher ``disclose`` uses;
- ``retries``: outbox rows whose work fails, retried then set aside;
- ``query``: the reader's query language, parsed with bounded cost;
- ``service``: a search as one reader, filtered inside the engine and
  re-checked against the database;
- ``views`` and ``cli``: the search page, its API and ``notesbase index``."""

from __future__ import annotations

import threading

from flask import Flask


def register(app: Flask) -> None:
    """Wire search into ``app``: the outbox hooks, the page and the commands
    (the API route is in ``notesbase.api.search``); and, on the first
    request, make sure an index exists (a missing or corrupt one is rebuilt)."""
    from notesbase.search import indexer, outbox, views
    from notesbase.search.cli import index_cli

    outbox.install()
    app.register_blueprint(views.bp)
    app.cli.add_command(index_cli)

    started = threading.Event()

    @app.before_request
    def check_index_once() -> None:
        if not started.is_set():
            started.set()
            try:
                indexer.ensure(app)
                # Index work a killed process committed but never applied.
                if indexer.pending(app):
                    indexer.apply_soon(app)
            except Exception:
                indexer.log.exception("could not check the search index at start-up")
