"""``notesbase export writeup``: the public write-up of a meeting as a
Markdown page for the network's website, from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.meetings.cli import find_meeting, meeting_export_arguments
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.errors import WriteupWithheld
from notesbase.publishing.writeups.export import markdown_page
from notesbase.publishing.writeups.public import exportable_writeup, find_writeup


@click.command("writeup")
@with_appcontext
@meeting_export_arguments
def export_writeup_command(slug: str, number: int, output: Path | None) -> None:
    """Write the public write-up of meeting NUMBER of series SLUG as a Markdown
    page for the network's website (front matter with ``writeup: true``).
    Refused while the leak check finds something."""
    meeting = find_meeting(slug, number)
    writeup = find_writeup(meeting)
    if writeup is None:
        raise click.ClickException(f"meeting {number} of {slug} has no write-up yet")
    try:
        public = exportable_writeup(meeting, writeup)
    except WriteupWithheld as withheld:
        raise click.ClickException(f"not exported: {withheld.message}") from None
    except leakcheck.LeakCheckFailed as failed:
        lines = [f"  {f.located}: {f.why} ({f.rule})" for f in failed.report.blocking]
        raise click.ClickException(
            "not exported: the leak check found something the public may not see:\n"
            + "\n".join(lines)
        ) from None
    text = markdown_page(public)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        private_files.write_replacing(output, text)
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write the file: {error.strerror}") from None
    click.echo(f"wrote the write-up of meeting {number} of {slug} to {output}", err=True)
