"""``notesbase retention apply | show``: run the series' retention
schedules (safe from cron) and list them with what is due."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app

from notesbase.command_group import CommandGroup
from notesbase.db import db, will_write
from notesbase.privacy.retention import run

# EX_TEMPFAIL: another run holds the lock; try again later.
LOCKED_EXIT = 75

retention_cli = CommandGroup(
    "retention", help="Run the series' retention schedules and list what is due."
)


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD") from None


def _check_series(slug: str | None) -> None:
    if slug is not None and not run.series_in_scope(slug):
        raise click.ClickException(f"There is no series “{slug}”.")


@retention_cli.command("apply")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--series", "slug", metavar="SLUG", help="Only this series.")
@click.option("--today", metavar="YYYY-MM-DD", callback=_day, help="Run as on this (UTC) date.")
def apply_command(dry_run: bool, slug: str | None, today: date | None) -> None:
    """Carry out each series' retention action on its meetings that are due.
    Prints what changes (counts) per series and meeting, progress on stderr;
    exits 0 when done or nothing is due, 1 when a meeting failed, 75 when
    another run is at work."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not dry_run:
        # Each meeting is read, then written, while the site may be saving
        # too: on SQLite a transaction takes the write lock when it begins,
        # as the app's own writes do, so neither fails with "database is
        # locked" (a read-then-write cannot wait for the lock otherwise).
        will_write()
    _check_series(slug)
    options = run.Options(dry_run=dry_run, series_slug=slug, today=today)

    def progress(line: str) -> None:
        click.echo(line, err=True)

    applying_on_commit = app.config.get("SEARCH_APPLY_ON_COMMIT", True)
    # The index is brought up to date once, at the end, not after each meeting.
    app.config["SEARCH_APPLY_ON_COMMIT"] = False
    try:
        if dry_run:
            summary = run.apply(app, options, report=click.echo, progress=progress)
        else:
            with run.run_lock(app):
                summary = run.apply(app, options, report=click.echo, progress=progress)
    except run.RunLocked:
        click.echo("Another retention run is at work; this one did nothing.", err=True)
        sys.exit(LOCKED_EXIT)
    finally:
        app.config["SEARCH_APPLY_ON_COMMIT"] = applying_on_commit
    if not summary.meetings:
        click.echo("Nothing is due.")
        return
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    done = "would be changed" if dry_run else "changed"
    click.echo(f"{summary.done} of {summary.meetings} meeting(s) {done}.")
    if summary.failed:
        for failure in summary.failed:
            click.echo(f"error: {failure}", err=True)
        raise click.ClickException(f"{len(summary.failed)} meeting(s) failed; run again to retry.")


@retention_cli.command("show")
@click.option("--series", "slug", metavar="SLUG", help="Only this series.")
@click.option("--today", metavar="YYYY-MM-DD", callback=_day, help="As on this (UTC) date.")
def show_command(slug: str | None, today: date | None) -> None:
    """List each series' retention schedule and how many meetings are due."""
    _check_series(slug)
    for entry in run.due(slug, today or run.today_utc()):
        if entry.months is None or entry.action is None:
            click.echo(f"{entry.slug}: kept until changed")
            continue
        click.echo(
            f"{entry.slug}: {entry.months} month(s) after each meeting, then"
            f" {entry.action.value} ({entry.action.label.lower()});"
            f" {len(entry.meeting_ids)} meeting(s) due"
        )
    db.session.rollback()
