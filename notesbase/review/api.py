"""Review rounds in the JSON API: a blueprint nested in the API's at import
(before any app registers the API), so its routes answer under ``/api/v1``
through the API's hooks: the caller's token, JSON errors and the unit of
work of a write (one COMMIT, idempotency keys for members' writes).

- ``api_board``: facilitators' routes (a facilitator's bearer token);
- ``api_speaker``: the reviewer's routes, by their review link
  (``Review-Link``) exchanged once for a session (``Review-Session``);
- ``api_guard``: publishing through the API while a review is open needs
  ``"confirm_open_review": true``.

Emails leave only after the COMMIT (``after_commit``): nobody is told of
a change that was not saved."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, current_app

from notesbase.api import unit_of_work  # noqa: F401 - the API's own hooks run first
from notesbase.api.blueprint import bp as api_bp
from notesbase.api_support.errors import ApiError
from notesbase.review.service import ReviewError

bp = Blueprint("reviews", __name__)
api_bp.register_blueprint(bp)
log = logging.getLogger(__name__)


@bp.after_request
def private(response: Response) -> Response:
    """A reviewer holds no API token, so the API's own rule does not mark
    their answers private: these always are."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def refused(error: ReviewError) -> ApiError:
    """A service's refusal in the API's terms: what was asked is wrong (422)
    or clashes with the review's state (409), or the thing is not there (404)."""
    return ApiError(422 if error.status == 400 else error.status, error.message)


def after_commit(response: Response, work: Callable[[], None]) -> Response:
    """Run ``work`` in an app context of its own once the answer is sent, so
    after the request's COMMIT; ``work`` checks that what it reports was saved."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:
                log.exception("review email after an API write not sent")

    response.call_on_close(run)
    return response
