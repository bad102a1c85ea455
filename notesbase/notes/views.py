"""Reading a meeting's notes: members of the series and facilitators only.

Everyone else gets the very 404 a missing meeting gets, so the page does not
even confirm that notes exist; to a logged-out visitor that 404 offers the
login (``access.member_page``), as it does for a missing meeting. What is
shown is ``meeting_view`` for the reader's audience and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request
from markupsafe import Markup

from notesbase.access import can_write_notes, current_member, member_page, notes_audience
from notesbase.disclosure import Audience, DisclosedItem, NotesView
from notesbase.meetings.views import load_meeting, load_series
from notesbase.models import Meeting, Series
from notesbase.notes.blueprint import bp
from notesbase.notes.facts import meeting_view

# What a facilitator may preview with ``?as=``.
VIEW_AS = {
    "facilitator": Audience.FACILITATOR,
    "member": Audience.MEMBER,
    "public": Audience.PUBLIC,
}


@dataclass(frozen=True)
class ShownItem:
    """A disclosed item with its already sanitised HTML marked safe."""

    item: DisclosedItem
    html: Markup


@dataclass(frozen=True)
class ShownSection:
    heading: str
    items: list[ShownItem]


def shown_sections(view: NotesView) -> list[ShownSection]:
    """The view's sections for a template. ``body_html`` comes out of
    ``disclose`` cleaned by nh3, so it is marked safe here and only here."""
    return [
        ShownSection(
            section.heading,
            [ShownItem(item, Markup(item.body_html)) for item in section.items],  # noqa: S704
        )
        for section in view.sections
    ]


def load_notes_meeting(slug: str, number: int) -> Meeting:
    """The meeting whose notes the address names, or 404 (an <int:> beyond
    the database's range never reaches here: ``notesbase.routing``)."""
    return load_meeting(load_series(slug), number)


def load_readable(slug: str, number: int) -> tuple[Meeting, Audience]:
    """The meeting and the reader's audience, or the 404 of a missing meeting."""
    meeting = load_notes_meeting(slug, number)
    audience = notes_audience(current_member(), meeting.series)
    if audience is None:
        abort(404)
    return meeting, audience


@bp.app_context_processor
def notes_helpers() -> dict[str, Any]:
    """For the meeting page: whether to link to the notes and to the editor."""

    def may_read_notes(series: Series) -> bool:
        return notes_audience(current_member(), series) is not None

    return {"may_read_notes": may_read_notes, "may_write_notes": can_write_notes(current_member())}


@bp.route("/series/<slug>/meetings/<int:number>/notes")
@member_page
def read(slug: str, number: int) -> str:
    meeting, audience = load_readable(slug, number)
    shown = audience
    if audience is Audience.FACILITATOR:
        # A preview of what another audience sees; for anyone else ``?as=``
        # is ignored, so it can never widen a view.
        shown = VIEW_AS.get(request.args.get("as", ""), Audience.FACILITATOR)
    view = meeting_view(meeting, shown)
    return render_template(
        "notes/read.html",
        meeting=meeting,
        series=meeting.series,
        audience=audience,
        shown=shown,
        sections=shown_sections(view),
        view_as=VIEW_AS,
    )
