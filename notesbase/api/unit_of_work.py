"""The unit of work of an API write: the key claimed (``idempotency``), the
view's work flushed, its answer made, then one COMMIT carrying the work and
the answer together. Nothing reads the database after that COMMIT, so an
answer never depends on a connection that may die once the work is saved;
and a COMMIT whose connection is lost is answered as what it is: unknown."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from flask import Response, request

from notesbase.api import auth, idempotency  # noqa: F401 - auth's hook is registered first
from notesbase.api.blueprint import bp
from notesbase.api_support.callers import caller
from notesbase.api_support.errors import CLASH, error_response
from notesbase.db import SAFE_METHODS, WriteOutcome, db, is_unavailable
from notesbase.errors import DATABASE_BUSY, database_unavailable

UNKNOWN_WITH_KEY = (
    "The connection to the database was lost while saving, so whether this request was "
    "applied is unknown. Send it again with the same Idempotency-Key ({key}): it is applied "
    "at most once, and if it was applied you get its first answer."
)
UNKNOWN_WITHOUT_KEY = (
    "The connection to the database was lost while saving, so whether this request was "
    "applied is unknown. Check whether it was (read it back) before you send it again: "
    "sent with an Idempotency-Key header, a write can always be retried safely."
)
SAVED = (
    "The change was saved, but the database became unavailable before the answer was "
    "complete. Do not send it again; read it back in a few seconds."
)


def unavailable_message(outcome: WriteOutcome) -> str:
    """What a 503 says, by what became of the request's change."""
    if outcome is WriteOutcome.UNKNOWN:
        key = idempotency.current_key()
        return UNKNOWN_WITH_KEY.format(key=key) if key else UNKNOWN_WITHOUT_KEY
    if outcome is WriteOutcome.SAVED:
        return SAVED
    return DATABASE_BUSY


def unavailable_answer(outcome: WriteOutcome) -> Response:
    """The API's 503, in its shape (``notesbase.errors`` answers with it
    under ``/api/``)."""
    return error_response(503, unavailable_message(outcome))


@bp.before_request
def start_write() -> Response | None:
    """Claim the write's idempotency key. It runs after ``auth.identify_caller``
    (this module imports ``auth``, so that hook is registered first); the
    public's writes are refused by the view, so they claim nothing."""
    if request.method in SAFE_METHODS or caller() is None:
        return None
    key = idempotency.requested_key()
    if key is None:
        return None
    return idempotency.claim(caller(), key)  # type: ignore[arg-type]


@bp.after_request
def finish_write(response: Response) -> Response:
    """Commit a successful write with its answer; anything else rolls back."""
    if request.method in SAFE_METHODS:
        return response
    if not 200 <= response.status_code < 300 or idempotency.REPLAYED in response.headers:
        _rollback()
        return response
    try:
        idempotency.record(response)
        db.session.commit()
    except sa.exc.IntegrityError:
        _rollback()
        return error_response(409, CLASH)
    except (sa.exc.DBAPIError, sa.exc.TimeoutError) as error:
        if not is_unavailable(error):
            raise
        return database_unavailable(error)
    return response


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # a dead connection: nothing of it was committed
        with contextlib.suppress(Exception):
            db.session.invalidate()
