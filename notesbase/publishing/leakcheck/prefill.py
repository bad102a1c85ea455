"""The leak-check page's results worked out after a save to the notes,
once the save's reply has been sent (``after_reply``), and kept
(``leakcheck.stored``): the facilitator who opens the leak check next finds
them ready."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from notesbase import renders
from notesbase.after_reply import after_reply
from notesbase.db import db
from notesbase.models import Meeting, Series
from notesbase.notes.facts import one_reading
from notesbase.publishing.leakcheck import check

# The notes editor's saves: each leads back to the editor, and the leak
# check is what a facilitator opens next.
SAVES = frozenset(
    f"notes.{name}"
    for name in ("editor", "edit_item", "delete_item", "move_item", "reorder", "purge_item")
)


def after_save(response: Response) -> Response:
    """After a save the notes editor redirects from, the meeting's leak
    check once the reply has been sent."""
    args = request.view_args or {}
    if (
        request.method == "POST"
        and request.endpoint in SAVES
        and response.status_code in (302, 303)
        and current_app.config.get("LEAK_CHECK_KEPT", True)
        and renders.store_of(current_app) is not None  # else nothing to keep it in
    ):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        slug, number = args.get("slug"), args.get("number")
        after_reply("leakcheck.prefill", lambda: prefill(app, str(slug), int(number)))
    return response


def prefill(app: Flask, slug: str, number: int) -> None:
    """Work out and keep the leak-check page's results for a meeting."""
    with app.app_context():
        meeting = db.session.scalar(
            sa.select(Meeting).join(Series).where(Series.slug == slug, Meeting.number == number)
        )
        if meeting is None:
            return
        with one_reading():
            check.checks(meeting, sorted(check.CHANNELS), kept=True)


def init_app(app: Flask) -> None:
    app.after_request(after_save)
