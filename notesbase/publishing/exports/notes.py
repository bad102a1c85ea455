"""The circulated notes of a meeting as files: Markdown, a print-ready page
and PDF, all made from the members' view (``meeting_view(..., MEMBER)``).

``build_export`` makes every piece once; the leak check's channel
(``notes-export``) reads the same pieces through ``export_fields``, so what is
checked is exactly what is served. Nothing here names an author, a reviewer,
an editor or any person's id: only what the members' view itself shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from notesbase import site
from notesbase.disclosure import Audience, NotesView
from notesbase.disclosure.render import text_and_attributes
from notesbase.meetings import timeline
from notesbase.models import Meeting
from notesbase.notes.facts import meeting_view
from notesbase.notes.views import shown_sections
from notesbase.publishing.exports.markdown import Piece, notes_pieces
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.text import slugify

CHANNEL = "notes-export"
AUDIENCE = Audience.MEMBER
CHATHAM_HOUSE_LINE = "Circulated to the network under the Chatham House Rule: do not attribute."
MEMBERS_LINE = "Circulated to the network: for members of the series."
DOCUMENT_TEMPLATE = "exports/_notes_document.html"


@dataclass(frozen=True)
class NotesExport:
    """Every piece of the notes exports of one meeting, as served."""

    meeting_id: int
    title: str
    markdown_pieces: tuple[Piece, ...]
    document_html: str  # the print page's notes, also the PDF's body
    markdown_filename: str
    pdf_filename: str
    # The notes page at the site's address: the PDF's links are read from there.
    address: str | None = None

    @property
    def markdown(self) -> str:
        return "".join(piece.text for piece in self.markdown_pieces)

    @property
    def document(self) -> Markup:
        """The document for a template; made by Jinja from escaped values and
        ``disclose``'s cleaned HTML, so it is safe as it is."""
        return Markup(self.document_html)  # noqa: S704


def reminder(meeting: Meeting) -> str:
    """The line at the top of every export: how the notes may be used."""
    return CHATHAM_HOUSE_LINE if meeting.chatham_house else MEMBERS_LINE


def export_title(meeting: Meeting) -> str:
    return f"Notes of meeting {meeting.number}: {meeting.title}"


def file_stem(meeting: Meeting) -> str:
    """'cop-meeting-10-notes': the series slug and the number only, so no title
    (or name in a title) rides along in a file name; always safe ASCII."""
    slug = slugify(meeting.series.slug, max_length=60) or "series"
    return f"{slug}-meeting-{meeting.number}-notes"


def page_address(meeting: Meeting) -> str | None:
    """The meeting's notes page at the site's address (None when no address
    is known): links in the exports are read from there, as on the page."""
    if site.known_base_url() is None:
        return None
    return site.url_for_site("notes.read", slug=meeting.series.slug, number=meeting.number)


def _markdown(meeting: Meeting, view: NotesView) -> tuple[Piece, ...]:
    heading = f"Meeting {meeting.number}: {meeting.title}"
    lines = [reminder(meeting), f"{meeting.series.title} · {timeline.long_when(meeting)}"]
    return tuple(notes_pieces(heading, lines, view, page_address(meeting)))


def _document(meeting: Meeting, view: NotesView) -> str:
    """The notes part of the print page, rendered straight from the Jinja
    environment: it needs no request, so the leak check can run it anywhere."""
    template = current_app.jinja_env.get_template(DOCUMENT_TEMPLATE)
    return template.render(
        meeting=meeting,
        series=meeting.series,
        title=export_title(meeting),
        when=timeline.long_when(meeting),
        reminder=reminder(meeting),
        sections=shown_sections(view),
    )


def build_export(meeting: Meeting) -> NotesExport:
    """Every export of ``meeting``'s notes from the members' view, as it stands now."""
    view = meeting_view(meeting, AUDIENCE)
    stem = file_stem(meeting)
    return NotesExport(
        meeting_id=meeting.id,
        title=export_title(meeting),
        markdown_pieces=_markdown(meeting, view),
        document_html=_document(meeting, view),
        markdown_filename=f"{stem}.md",
        pdf_filename=f"{stem}.pdf",
        address=page_address(meeting),
    )


# The export a view is about to serve, so the check reads that very text
# rather than a second reading of the rows a moment later.
_SERVING: ContextVar[NotesExport | None] = ContextVar("notes_export_serving", default=None)


@contextmanager
def serving(export: NotesExport) -> Iterator[None]:
    token = _SERVING.set(export)
    try:
        yield
    finally:
        _SERVING.reset(token)


def export_fields(meeting: Meeting) -> list[leakcheck.Field]:
    """Every piece the notes exports carry, for the leak check: file names,
    the Markdown piece by piece, the print page (title, words and link
    addresses) and the PDF's title."""
    export = _SERVING.get()
    if export is None or export.meeting_id != meeting.id:
        export = build_export(meeting)
    fields = [
        leakcheck.Field("Markdown file name", export.markdown_filename),
        leakcheck.Field("PDF file name", export.pdf_filename),
    ]
    fields += [leakcheck.Field(f"Markdown, {p.where}", p.text) for p in export.markdown_pieces]
    page_text, values = text_and_attributes(export.document_html)
    links = "\n".join(values)
    fields += [
        leakcheck.Field("print page and PDF, title", export.title, "meeting"),
        leakcheck.Field("print page and PDF, text", page_text),
    ]
    if links:
        fields.append(leakcheck.Field("print page and PDF, link addresses", links))
    return fields


def register_channel() -> None:
    leakcheck.register_channel(CHANNEL, AUDIENCE, export_fields, "Notes for members (exports)")


def checked_export(meeting: Meeting) -> NotesExport:
    """The export, once the leak check passes on exactly it; raises
    ``leakcheck.LeakCheckFailed`` while any finding stands."""
    export = build_export(meeting)
    with serving(export):
        leakcheck.require_clean(meeting, CHANNEL)
    return export
