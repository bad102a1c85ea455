"""The notes file in the facilitators' editor: import one typed during the
meeting (all or nothing), and export every item, raw, as a notes file.
Guarded, loaded and answered as the rest of the editor (``editor``)."""

from __future__ import annotations

from flask import abort, render_template
from werkzeug.wrappers import Response

from notesbase.access import current_member, facilitator_required
from notesbase.db import db
from notesbase.notes.blueprint import bp
from notesbase.notes.editor import CONFLICT, INVALID, MEETING, View, load
from notesbase.notes.errors import NotesError
from notesbase.notes.facts import meeting_items
from notesbase.notes.forms import ImportForm, show_error
from notesbase.notes.notes_import import ImportMode, NotesFileError, export_notes, import_notes


@bp.route(MEETING + "/import", methods=["GET", "POST"])
@facilitator_required
def import_file(slug: str, number: int) -> View:
    """Import a notes file typed during the meeting (all or nothing)."""
    meeting = load(slug, number)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            result = import_notes(
                meeting,
                form.notes_text(),
                actor=current_member(),
                mode=ImportMode(form.mode.data),
            )
        except NotesFileError as error:
            db.session.rollback()
            field = form.file if form.file.data and form.file.data.filename else form.text
            field.errors = [*field.errors, str(error)]
        except NotesError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return render_template(
                "notes/import_done.html", meeting=meeting, series=meeting.series, result=result
            )
    page = render_template(
        "notes/import.html",
        meeting=meeting,
        series=meeting.series,
        form=form,
        has_items=bool(meeting_items(meeting)),
    )
    return (page, INVALID) if form.is_submitted() else page


@bp.route(MEETING + "/export")
@facilitator_required
def export_file(slug: str, number: int) -> Response:
    """The meeting's notes as a notes file: every item, raw (facilitators only)."""
    meeting = load(slug, number)
    try:
        text = export_notes(meeting)
    except NotesFileError as error:
        abort(CONFLICT, description=f"These notes cannot be exported as they are: {error}")
    response = Response(text, mimetype="text/markdown")
    response.headers["Content-Disposition"] = (
        f"attachment; filename={meeting.series.slug}-{meeting.number}-notes.md"
    )
    return response
