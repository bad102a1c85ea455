"""``/healthz``: what an operator (or a load balancer) needs to see a stuck
search queue before readers do. JSON, no login, nothing about any meeting.

- ``database.reachable``: the database answered a trivial query;
- ``index``: this host's index generation and layout version, and whether it opens;
- ``outbox``: rows not yet applied to this host's index (``backlog``), the
  age of the oldest in seconds, and rows failing (being retried) or set
  aside after failing every attempt (``poisoned``).

``status`` is "ok", "degraded" (the index is missing or unreadable, or rows
are failing or set aside: searches still answer, perhaps without the latest
changes) or "down" (the database does not answer; the answer is then 503)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

from notesbase.db import db
from notesbase.search import backlog, indexer
from notesbase.search.engine import LAYOUT_VERSION

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    answer: dict[str, Any] = {
        "database": {"reachable": _database_answers()},
        "index": _index(app),
        "outbox": None,
    }
    if answer["database"]["reachable"]:
        answer["outbox"] = _outbox(app)
    if not answer["database"]["reachable"]:
        answer["status"] = "down"
    elif (
        not answer["index"]["readable"]
        or answer["outbox"] is None
        or answer["outbox"]["failing"]
        or answer["outbox"]["poisoned"]
    ):
        answer["status"] = "degraded"
    else:
        answer["status"] = "ok"
    response = jsonify(answer)
    response.status_code = 503 if answer["status"] == "down" else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_answers() -> bool:
    try:
        db.session.execute(sa.select(1))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.warning("health check: the database does not answer", exc_info=True)
        return False


def _index(app: Flask) -> dict[str, Any]:
    engine = indexer.engine_for(app)
    path = engine.current_path()
    readable = False
    if path is not None:
        try:
            engine.open_index(path)
            readable = True
        except Exception:  # an unreadable index is what this reports
            log.warning("health check: the search index does not open", exc_info=True)
    return {
        "generation": path.name if path is not None else None,
        "layout": LAYOUT_VERSION,
        "readable": readable,
    }


def _outbox(app: Flask) -> dict[str, Any] | None:
    try:
        waiting = backlog.backlog(app)
    except Exception:  # reported as unknown: the health answer itself never fails
        log.warning("health check: cannot read the search outbox", exc_info=True)
        return None
    return {
        "backlog": waiting.pending,
        "oldest_pending_seconds": (
            None if waiting.oldest_seconds is None else round(waiting.oldest_seconds, 1)
        ),
        "failing": len(waiting.failing),
        "poisoned": len(waiting.poisoned),
    }


def register(app: Flask) -> None:
    """Add ``/healthz``."""
    app.register_blueprint(bp)
