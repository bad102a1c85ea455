"""Circulating or publishing while a review is open needs the facilitator's
say-so: the confirm pages name who has not answered and carry a box to tick
(``templates/review/_waiting.html``); this hook, run before the sending and
publishing views, turns back a request without it. The views themselves are
not touched."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from notesbase.access import current_member
from notesbase.meetings import service as meetings
from notesbase.models import Meeting, Role
from notesbase.review.service import waiting_names

CONFIRMED = "review_confirmed"
# The guarded view -> the page that asks again.
GUARDED = {
    "circulation.send": "circulation.confirm",
    "writeups.publish": "writeups.preview",
}


def ask_again() -> Response | None:
    """Back to the confirm page when a review is open and the box is not ticked."""
    back = GUARDED.get(request.endpoint or "")
    if back is None or request.method != "POST" or request.form.get(CONFIRMED) == "yes":
        return None
    member = current_member()
    if member is None or member.role.has_rank_below(Role.FACILITATOR):
        return None  # refused by the view as ever: nothing here says a review is open
    values = request.view_args or {}
    series = meetings.series_by_slug(str(values.get("slug", "")))
    number = values.get("number")
    meeting = meetings.meeting_by_number(series, number) if series and number else None
    if meeting is None or waiting_names(meeting) is None:
        return None  # the view answers as it always does
    flash("A review of these notes is open: tick the box to go ahead anyway.", "error")
    return redirect(url_for(back, slug=series.slug, number=meeting.number))


def open_review_hold(meeting: Meeting) -> str | None:
    """For ``notesbase circulate``: the open review of ``meeting`` and who
    has not answered it, in words; None when no review is open."""
    waiting = waiting_names(meeting)
    if waiting is None:
        return None
    names = ", ".join(waiting.names) or "nobody"
    return (
        f"A review of these notes is open until {waiting.review.deadline:%Y-%m-%d %H:%M} UTC. "
        f"Not answered yet: {names}. Unanswered requests: {waiting.unresolved}."
    )


def init_app(app: Flask) -> None:
    app.before_request(ask_again)
