"""Full-text search (Whoosh), safe by construction.

- the engine: ``engine`` is the index behind the project's own small
  interface, over ``schema``, ``storage``, ``writing`` and ``reading``;
  ``segments``, ``masks`` and ``ranking`` run a ``request`` over arrays read
  from the index, the postings of big segments as they lie in their
  ``packs`` (mapped files every process shares). Only ``engine``,
  ``schema``, ``storage``, ``writing``, ``reading``, ``analysis``,
  ``whoosh_internals`` and ``whoosh_public`` import Whoosh. Its private
  internals are used in one, ``whoosh_internals``, written for
  whoosh-reloaded 2.7.5; on any other version ``whoosh_public`` reads and
  writes through Whoosh's public API instead (checked at start-up:
  ``context.use_internals``);
- ``documents``: what goes into the index, from ``disclose`` only;
- ``sources``: the public texts features register for their documents
  (the published write-up), so search imports no feature; likewise
  ``review_states``: the meetings in each review state, for the
  facilitators' ``review=`` filter;
- ``outbox``: index work committed with the change, applied after commit;
- ``indexer``: applying the outbox (``changes``: what rows ask for;
  ``backlog``: what is still to apply; ``background``: merges and scans),
  rebuilding (``rebuilding``, its worker processes running
  ``notesbase.rebuild_worker``) and ensuring an index; ``checking``: the
  index against the database; ``context``: the app's engine;
- ``naming``: who is named where (``item_mentions``), by the matcher ``disclose`` uses;
- ``retries``: outbox rows whose work fails, retried then set aside;
- ``query``: the reader's query language, parsed with bounded cost;
- ``service``: a search as one reader, filtered inside the engine and
  re-checked against the database; ``results``: what it answers;
- ``views`` and ``cli``: the search page, its API and ``notesbase index``."""

from __future__ import annotations

import threading

from flask import Flask


def register(app: Flask) -> None:
    """Wire search into ``app``: the check of the installed Whoosh, the
    outbox hooks, the page and the commands (the API route is in
    ``notesbase.api.search``); and, on the first request, make sure an index
    exists (a missing or corrupt one is rebuilt)."""
    from notesbase.search import backlog, context, indexer, outbox, views
    from notesbase.search.cli import index_cli

    # Whether Whoosh's private internals may be used, said once if not.
    context.use_internals(app)
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
                if backlog.pending(app):
                    indexer.apply_soon(app)
            except Exception:
                indexer.log.exception("could not check the search index at start-up")
