"""What the commands that act on one meeting share: finding it by series
slug and number (``find_meeting``, a one-line error for whatever is
missing), the ``SLUG NUMBER [-o FILE]`` arguments of an export, and the
``notesbase export`` group, which the notes and publishing add their
exports to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from notesbase.command_group import CommandGroup
from notesbase.meetings.service import meeting_by_number, series_by_slug
from notesbase.models import Meeting

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
