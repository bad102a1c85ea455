"""``notesbase export notes``: a meeting's notes file, raw, for facilitators."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.meetings.cli import find_meeting, meeting_export_arguments
from notesbase.notes.notes_import import NotesFileError, export_notes


@click.command("notes")
@with_appcontext
@meeting_export_arguments
def export_notes_command(slug: str, number: int, output: Path | None) -> None:
    """Write meeting NUMBER of series SLUG as a notes file: every item, raw
    (confidential ones and redacted spans included: for facilitators only).
    Importing the file into an empty meeting gives the same notes."""
    meeting = find_meeting(slug, number)
    try:
        text = export_notes(meeting)
    except NotesFileError as error:
        raise click.ClickException(str(error)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        private_files.write_replacing(output, text)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write the file: {error.strerror}") from None
    click.echo(f"wrote the notes of meeting {number} of {slug} to {output}", err=True)
