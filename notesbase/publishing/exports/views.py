"""The exports' routes: the circulated notes as Markdown, a print-ready page
and PDF.

Who: members of the series and facilitators (``notes_audience``); everyone
else gets the very 404 a missing meeting gets (offering a logged-out
visitor the login: ``access.member_page``). What: the members' view,
whoever asks (these are the notes as circulated). Every export passes the
leak check (channel ``notes-export``) on exactly the text served; while a
finding stands the answer is 409 and nothing is exported.

Load (404) → access (404) → build → leak check (409) → serve."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from notesbase.access import member_page
from notesbase.disclosure import Audience
from notesbase.models import Meeting
from notesbase.notes.views import load_readable
from notesbase.publishing.exports import pdf as export_pdf
from notesbase.publishing.exports.notes import NotesExport, checked_export
from notesbase.publishing.leakcheck import check as leakcheck

bp = Blueprint("exports", __name__)

NOTES = "/series/<slug>/meetings/<int:number>/notes"


def leak_check_path(meeting: Meeting) -> str:
    """The leak-check page of a meeting (built by ``leakcheck.views``)."""
    return f"/series/{meeting.series.slug}/meetings/{meeting.number}/leak-check"


def refused(meeting: Meeting, audience: Audience, failed: leakcheck.LeakCheckFailed) -> Response:
    """409: nothing exported. Facilitators see each finding and where to
    resolve it; members only that it waits for a facilitator, since a
    finding's text is exactly what members may not see."""
    findings = failed.report.blocking if audience is Audience.FACILITATOR else None
    page = render_template(
        "exports/leak_refused.html",
        meeting=meeting,
        series=meeting.series,
        findings=findings,
        leak_check_url=leak_check_path(meeting),
    )
    return Response(page, status=409, mimetype="text/html")


def export_or_refusal(slug: str, number: int) -> tuple[Meeting, NotesExport | Response]:
    meeting, audience = load_readable(slug, number)
    try:
        return meeting, checked_export(meeting)
    except leakcheck.LeakCheckFailed as failed:
        return meeting, refused(meeting, audience, failed)


def attachment(body: bytes | str, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.route(NOTES + ".md")
@member_page
def notes_markdown(slug: str, number: int) -> Response:
    _meeting, export = export_or_refusal(slug, number)
    if isinstance(export, Response):
        return export
    return attachment(
        export.markdown.encode("utf-8"), "text/markdown; charset=utf-8", export.markdown_filename
    )


@bp.route(NOTES + "/print")
@member_page
def notes_print(slug: str, number: int) -> Response | str:
    meeting, export = export_or_refusal(slug, number)
    if isinstance(export, Response):
        return export
    return render_template(
        "exports/notes_print.html",
        meeting=meeting,
        series=meeting.series,
        export=export,
        pdf_available=export_pdf.pdf_available(),
    )


@bp.route(NOTES + ".pdf")
@member_page
def notes_pdf(slug: str, number: int) -> Response:
    if not export_pdf.pdf_available():
        load_readable(slug, number)  # the same 404 first, for the same readers
        abort(404)
    _meeting, export = export_or_refusal(slug, number)
    if isinstance(export, Response):
        return export
    return attachment(export_pdf.render_pdf(export), "application/pdf", export.pdf_filename)
