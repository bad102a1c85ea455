"""Publishing through the API while a review is open: a 409 naming who has
not answered, unless the body says ``"confirm_open_review": true`` (the
API's form of the box the web's confirm page asks to tick). A hook on the
API's blueprint, run after the caller is known; the publishing view itself
is not touched, and anyone it would refuse is left to it."""

from __future__ import annotations

import json

from flask import request

from notesbase.api.blueprint import bp as api_bp
from notesbase.api_support.callers import caller
from notesbase.api_support.errors import ApiError
from notesbase.api_support.lookup import find_series
from notesbase.meetings import service as meetings
from notesbase.review import api  # noqa: F401 - after the API's own hooks
from notesbase.review.service import Waiting, waiting_names

CONFIRM = "confirm_open_review"
GUARDED = {"api.writeups.publish_writeup_api"}


def confirmed() -> bool:
    """Whether the JSON body says ``"confirm_open_review": true`` (anything
    else, or no body, is no)."""
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(body, dict) and body.get(CONFIRM) is True


def message(waiting: Waiting) -> str:
    names = ", ".join(waiting.names) or "nobody"
    return (
        f"A review of these notes is open; not answered yet: {names}; "
        f"unanswered requests: {waiting.unresolved}. "
        f'Send {{"{CONFIRM}": true}} to go ahead anyway.'
    )


@api_bp.before_request
def publish_needs_confirmation() -> None:
    if request.endpoint not in GUARDED or request.method != "POST" or confirmed():
        return
    member = caller()
    if member is None or not member.is_facilitator:
        return  # refused by the view as ever: nothing here says a review is open
    values = request.view_args or {}
    series = find_series(str(values.get("slug", "")))
    meeting = meetings.meeting_by_number(series, values["number"]) if series else None
    waiting = waiting_names(meeting) if meeting is not None else None
    if waiting is not None:
        raise ApiError(409, message(waiting), {CONFIRM: "Required while a review is open."})
