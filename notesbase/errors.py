"""Every error a user can cause is a page with a clear message, never a traceback.

A database that is busy or out of reach (locked, timed out, restarting) is not
a fault: the request answers 503 with ``Retry-After``, its unit of work rolled
back so nothing is half-saved, and one log line that holds no note text. The
answer says what became of the request's change (``db.write_outcome``):
nothing was changed, it was saved, or the connection was lost during COMMIT
and nobody can tell."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from notesbase.access import login_offer
from notesbase.db import (
    WriteOutcome,
    db,
    is_unavailable,
    is_unreachable,
    unavailable_summary,
    write_outcome,
)
from notesbase.extensions import limiter, login_manager
from notesbase.routing import not_found_if_unroutable

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in first.",
    403: "You do not have permission to do that.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "That is too large to accept.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you sent was half-saved.",
    503: "The service is busy. Please try again in a moment.",
}
# The 404 of a members' page to a logged-out visitor (``access.member_page``).
MEMBERS_LOG_IN = "Members: log in to read this"
DATABASE_BUSY = (
    "The database is busy or restarting, so nothing was changed. Please try again in a few seconds."
)
SAVED_BUT_UNANSWERED = (
    "Your change was saved, but the database became unavailable before this page could be "
    "shown. Please do not send it again: reload in a few seconds to see it."
)
OUTCOME_UNKNOWN = (
    "The connection to the database was lost while your change was being saved, so it may "
    "or may not have been saved. Please check before you send it again."
)
PAGE_MESSAGES = {
    WriteOutcome.UNCHANGED: DATABASE_BUSY,
    WriteOutcome.SAVED: SAVED_BUT_UNANSWERED,
    WriteOutcome.UNKNOWN: OUTCOME_UNKNOWN,
}
# The 503 page when the database cannot be reached: the usual page asks the
# database who is logged in, so this one stands alone.
_STANDALONE_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>503 · notesbase</title>
  <link rel="stylesheet" href="{stylesheet}">
</head>
<body>
  <main>
    <h1>{message}</h1>
    <p class="muted">Error 503. <a href="{home}">Back to the series</a>.</p>
  </main>
</body>
</html>
"""


def _render(code: int, message: str | None = None, login_url: str | None = None) -> tuple[str, int]:
    text = message or MESSAGES.get(code, "Something went wrong.")
    page = render_template("errors.html", code=code, message=text, login_url=login_url)
    return page, code


def where() -> str:
    """The route pattern, for logs: the path itself may hold a secret (an
    invitation link's token)."""
    rule = request.url_rule
    return f"{request.method} {rule.rule if rule is not None else '(no route)'}"


# The JSON API words its own 503 (it names the write's Idempotency-Key):
# ``notesbase.api`` puts its answer here, a function of the outcome.
JSON_UNAVAILABLE = "notesbase.json_unavailable"


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # a dead connection: the pool discards it anyway
        log.debug("rollback after a database error failed", exc_info=True)


def database_unavailable(error: BaseException) -> Response:
    """503 with ``Retry-After``: JSON under ``/api/``, else an HTML page,
    saying what became of the request's change."""
    outcome = write_outcome(error)
    _rollback()
    log.warning(
        "database unavailable on %s (%s): %s", where(), outcome.value, unavailable_summary(error)
    )
    if "_login_user" not in g:
        # Who is logged in is not known yet: the rest of this request (the
        # page, the response headers) treats them as the public rather than
        # asking the database again.
        g._login_user = login_manager.anonymous_user()
    limiter.without_headers()
    retry_after = str(int(current_app.config["DATABASE_RETRY_AFTER"]))
    answer_in_json = current_app.extensions.get(JSON_UNAVAILABLE)
    if answer_in_json is not None and request.path.startswith("/api/"):
        response = answer_in_json(outcome)
    else:
        page = _busy_page(error, PAGE_MESSAGES[outcome])
        response = Response(page, status=503, content_type="text/html; charset=utf-8")
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def _busy_page(error: BaseException, message: str) -> str:
    if not is_unreachable(error):
        try:
            return _render(503, message)[0]
        except Exception:
            _rollback()
            log.debug("the 503 page needed the database too", exc_info=True)
    return _STANDALONE_PAGE.format(
        stylesheet=escape(url_for("static", filename="style.css")),
        home=escape(url_for("meetings.index")),
        message=escape(message),
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _render(
            400,
            "This form has expired or was not sent from this site. "
            "Please go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> object:
        if error.code is None or error.code < 400:
            return error
        error = not_found_if_unroutable(error)
        response = error.get_response()
        login_url = login_offer() if error.code == 404 else None
        if login_url is not None:
            body, code = _render(404, MEMBERS_LOG_IN, login_url)
        else:
            body, code = _render(error.code, MESSAGES.get(error.code) or error.description)
        response.set_data(body)
        response.content_type = "text/html; charset=utf-8"
        response.status_code = code
        return response

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.TimeoutError)
    def database_error(error: Exception) -> Response:
        if is_unavailable(error):
            return database_unavailable(error)
        raise error  # a fault, not a busy database: the 500 handlers below

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> Response | tuple[str, int]:
        original = error.original_exception
        if original is not None and is_unavailable(original):
            return database_unavailable(original)
        log.error("unhandled error on %s", where(), exc_info=original)
        _rollback()
        return _render(500)
