"""``notesbase export notes``, and the helpers ``notesbase import notes`` shares
with it: finding the meeting, reading the file, saying what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from notesbase import private_files
from notesbase.command_group import CommandGroup
from notesbase.meetings.service import meeting_by_number, series_by_slug
from notesbase.models import Meeting
from notesbase.notes.notes_import import ImportResult, NotesFileError, export_notes
from notesbase.notes.notesfile import MAX_FILE_BYTES, decode_notes

export_cli = CommandGroup("export", help="Export material from the database.")


def find_meeting(slug: str | None, number: int | None) -> Meeting:
    """The meeting named, or a one-line error saying what is missing."""
    if slug is None:
        raise click.ClickException(
            "no series: give --series SLUG or write 'series: SLUG' in the front matter"
        )
    if number is None:
        raise click.ClickException(
            "no meeting: give --meeting N or write 'meeting: N' in the front matter"
        )
    series = series_by_slug(slug)
    if series is None:
        raise click.ClickException(f"there is no series '{slug}'")
    meeting = meeting_by_number(series, number)
    if meeting is None:
        raise click.ClickException(
            f"series '{slug}' has no meeting {number}: create the meeting first"
        )
    return meeting


def read_notes_file(path: Path) -> str:
    """The file's text (UTF-8, at most 2 MB), or a one-line error."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise click.ClickException(
                f"{path}: the file is over {MAX_FILE_BYTES // 1024 // 1024} MB; "
                "a notes file is smaller"
            )
        return decode_notes(path.read_bytes())
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read the file: {error.strerror}") from None
    except NotesFileError as error:
        raise click.ClickException(f"{path}: {error}") from None


def report_lines(path: Path, meeting: Meeting, result: ImportResult, dry_run: bool) -> list[str]:
    """What the import did (or would do): a headline, the people, the warnings."""
    where = f"meeting {meeting.number} of {meeting.series.slug}"
    verb = "would import" if dry_run else "imported"
    parts = [f"{result.items_created} item{'s' if result.items_created != 1 else ''}"]
    if result.items_deleted:
        deleted = "would delete" if dry_run else "deleted"
        parts.append(f"{deleted} {result.items_deleted} existing")
    lines = [f"{verb} {path} into {where}: {', '.join(parts)}"]
    created = "new people" if dry_run else "people created"
    if result.people_created:
        lines.append(f"    {created}: {', '.join(result.people_created)}")
    if result.people_matched:
        lines.append(f"    people already recorded: {', '.join(result.people_matched)}")
    lines += [f"    warning: {warning}" for warning in result.warnings]
    summary = f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}"
    if dry_run:
        summary += " (dry run: nothing was written)"
    return [*lines, summary]


def meeting_export_arguments(command: Any) -> Any:
    """``SLUG NUMBER [-o FILE]``: the arguments of every ``notesbase export``
    command that writes one meeting."""
    decorators = [
        click.argument("slug"),
        click.argument("number", type=click.IntRange(min=1)),
        click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Write to this file instead of the standard output.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@export_cli.command("notes")
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
