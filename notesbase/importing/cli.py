"""``notesbase import ...`` commands."""

from __future__ import annotations

from pathlib import Path

import click

from notesbase.command_group import CommandGroup
from notesbase.db import db
from notesbase.importing.events import import_event_pages
from notesbase.meetings.cli import find_meeting
from notesbase.models import Meeting
from notesbase.notes.notes_import import (
    ImportMode,
    ImportResult,
    MeetingHasNotes,
    NotesFileError,
    import_notes,
)
from notesbase.notes.notesfile import MAX_FILE_BYTES, decode_notes, parse_notes
from notesbase.text import for_terminal, slugify

import_cli = CommandGroup("import", help="Import the network's existing material.")


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


def _series_slug(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and (not value or slugify(value) != value):
        raise click.BadParameter(
            f"'{value}' is not a series slug: use lowercase letters, digits and hyphens, "
            f"e.g. '{slugify(value) or 'community-of-practice'}'"
        )
    return value


@import_cli.command("events")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--series",
    metavar="SLUG",
    callback=_series_slug,
    help="Put the meetings in this series (created if missing, titled from the pages).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def events_command(paths: tuple[Path, ...], series: str | None, dry_run: bool) -> None:
    """Import Jekyll event pages (files or folders of .md files) as meetings.

    Re-importing a page updates the same meeting; an unchanged page changes
    nothing. Each file is imported whole or not at all; the exit status is
    non-zero if any file failed (the others are still imported)."""
    report = import_event_pages(paths, series=series, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in report.lines():
        click.echo(for_terminal(line))
    if not report.ok:
        raise click.exceptions.Exit(1)


@import_cli.command("notes")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--series",
    metavar="SLUG",
    callback=_series_slug,
    help="The meeting's series (else the file's 'series:').",
)
@click.option(
    "--meeting",
    "number",
    metavar="N",
    type=click.IntRange(min=1),
    help="The meeting's number (else the file's 'meeting:').",
)
@click.option("--append", is_flag=True, help="Add the items after those the meeting has.")
@click.option("--replace", is_flag=True, help="Delete the meeting's items first.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def notes_command(
    file: Path,
    series: str | None,
    number: int | None,
    append: bool,
    replace: bool,
    dry_run: bool,
) -> None:
    """Import a meeting's notes from a notes file (see "The notes file format"
    in the README). All or nothing; a meeting that already has items is refused
    unless --append or --replace is given."""
    if append and replace:
        raise click.UsageError("give --append or --replace, not both")
    mode = ImportMode.APPEND if append else ImportMode.REPLACE if replace else ImportMode.REFUSE
    text = read_notes_file(file)
    try:
        notes = parse_notes(text)
        meeting = find_meeting(series or notes.series, number or notes.meeting)
        result = import_notes(meeting, text, actor=None, mode=mode)
    except MeetingHasNotes as error:
        db.session.rollback()
        raise click.ClickException(
            f"{file}: {error}; give --append to add after them or --replace to delete them first"
        ) from None
    except NotesFileError as error:
        db.session.rollback()
        raise click.ClickException(for_terminal(f"{file}: {error}")) from None
    lines = report_lines(file, meeting, result, dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in lines:
        click.echo(for_terminal(line))
