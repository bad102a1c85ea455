"""``notesbase import ...`` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from notesbase.db import db
from notesbase.importing.events import import_event_pages
from notesbase.text import slugify

import_cli = AppGroup("import", help="Import the network's existing material.")


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
        click.echo(line)
    if not report.ok:
        raise click.exceptions.Exit(1)
