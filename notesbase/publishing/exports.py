"""Exports of the circulated notes: Markdown, a print-ready page and PDF.

Who: members of the series and facilitators (``notes_audience``); everyone
else gets the very 404 a missing meeting gets (offering a logged-out
visitor the login: ``access.member_page``). What: the members' view,
whoever asks (these are the notes as circulated). Every export passes the
leak check (channel ``notes-export``) on exactly the text served; while a
finding stands the answer is 409 and nothing is exported.

Load (404) → access (404) → build → leak check (409) → serve."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, Flask, Response, abort, render_template
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.access import member_page
from notesbase.disclosure import Audience
from notesbase.meetings.cli import meeting_export_arguments
from notesbase.models import Meeting
from notesbase.notes.views import load_readable
from notesbase.publishing import export_pdf, leakcheck
from notesbase.publishing.export_notes import NotesExport, checked_export, register_channel

bp = Blueprint("exports", __name__)

NOTES = "/series/<slug>/meetings/<int:number>/notes"


def leak_check_path(meeting: Meeting) -> str:
    """The leak-check page of a meeting (built by ``leak_views``)."""
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


@click.command("notes-md")
@with_appcontext
@meeting_export_arguments
def notes_md_command(slug: str, number: int, output: Path | None) -> None:
    """Write the circulated notes (the members' view) of meeting NUMBER of
    series SLUG as Markdown, once the leak check passes."""
    from notesbase.meetings.cli import find_meeting

    meeting = find_meeting(slug, number)
    try:
        export = checked_export(meeting)
    except leakcheck.LeakCheckFailed as failed:
        for finding in failed.report.blocking:
            click.echo(f"  {finding.located}: {finding.rule}: {finding.why}", err=True)
        raise click.ClickException(
            f"the leak check has {len(failed.report.blocking)} finding(s): nothing was exported; "
            f"see {leak_check_path(meeting)} or `notesbase check`"
        ) from None
    if output is None:
        click.echo(export.markdown, nl=False)
        return
    try:
        private_files.write_replacing(output, export.markdown)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write the file: {error.strerror}") from None
    click.echo(f"wrote the notes of meeting {number} of {slug} to {output}", err=True)


def register(app: Flask) -> None:
    """Add this module's routes and commands to ``app``."""
    from notesbase.meetings.cli import export_cli

    register_channel()
    app.register_blueprint(bp)
    export_cli.add_command(notes_md_command)
