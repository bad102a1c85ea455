"""``notesbase export notes-md``: the circulated notes of a meeting as
Markdown, from the command line, once the leak check passes."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.meetings.cli import find_meeting, meeting_export_arguments
from notesbase.publishing.exports.notes import checked_export
from notesbase.publishing.exports.views import leak_check_path
from notesbase.publishing.leakcheck import check as leakcheck


@click.command("notes-md")
@with_appcontext
@meeting_export_arguments
def notes_md_command(slug: str, number: int, output: Path | None) -> None:
    """Write the circulated notes (the members' view) of meeting NUMBER of
    series SLUG as Markdown, once the leak check passes."""
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
