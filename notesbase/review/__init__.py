"""Review rounds, the agreed record: the people recorded in a meeting's
notes check what was recorded against them before the notes circulate.

- ``service``: rounds, reviewers, approving, closing, the state of a round;
- ``links``: the single-use link and the reviewer's session;
- ``shown``: what a reviewer sees (through ``disclose``);
- ``requests``: corrections and requests, and a facilitator's answers;
- ``mail``: invitations, reminders, outcomes; ``cli``: ``notesbase review remind``;
- ``leak``: unanswered requests to restrict an item, as leak-check findings;
- ``board_views`` (facilitators) and ``speaker_views`` (reviewers);
- ``guard``: circulating or publishing while a review is open needs a ticked box;
- ``api`` (``api_board``, ``api_speaker``, ``api_guard``): the same in the JSON API;
- ``consent``: how a reviewer sets their consent (page and API);
  ``notesbase circulate`` asks first (``guard.open_review_hold``);
- ``search_filter``: review state as a search filter for facilitators."""

from __future__ import annotations

from flask import Flask

from notesbase.extensions import csrf
from notesbase.meetings.holds import register_hold
from notesbase.publishing.leakcheck.check import ITEM_FINDINGS
from notesbase.review.blueprint import bp
from notesbase.search.review_states import register_review_states

__all__ = ["bp", "register"]


def register(app: Flask) -> None:
    """Add the review pages, ``review_waiting`` for the confirm pages of
    circulating and publishing, the review's leak-check findings, and the
    meetings' review states for search's filter."""
    from notesbase.review import (  # noqa: F401 - importing adds the routes and hooks
        api,
        api_board,
        api_guard,
        api_speaker,
        board_views,
        guard,
        speaker_views,
    )
    from notesbase.review.cli import review_cli
    from notesbase.review.leak import RULE, open_restrictions
    from notesbase.review.mail import deadline_text
    from notesbase.review.search_filter import meetings_by_state
    from notesbase.review.service import waiting_names

    ITEM_FINDINGS[RULE] = open_restrictions
    register_hold("review", guard.open_review_hold)
    register_review_states(meetings_by_state)

    app.register_blueprint(bp)
    csrf.exempt(api.bp)  # no cookie is read: the token or the session secret, in a header
    app.cli.add_command(review_cli)
    guard.init_app(app)
    app.add_template_global(waiting_names, "review_waiting")
    app.add_template_filter(deadline_text, "review_time")
