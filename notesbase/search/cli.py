"""``notesbase index rebuild | check | apply``."""

from __future__ import annotations

import time

import click
from flask import current_app

from notesbase.command_group import CommandGroup
from notesbase.search import backlog, checking, indexer
from notesbase.search.engine import IndexUnavailable, LockTimeout

index_cli = CommandGroup("index", help="Keep the search index in step with the database.")


@index_cli.command("rebuild")
def rebuild_command() -> None:
    """Build the index anew from the database (into a fresh folder, swapped
    in when complete; searches keep using the old one meanwhile)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = time.perf_counter()
    with click.progressbar(length=1, label="Indexing meetings") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            count = indexer.rebuild(app, progress)
        except indexer.RebuildInProgress as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Indexed {count} documents in {time.perf_counter() - started:.1f} s.")


@index_cli.command("check")
def check_command() -> None:
    """Compare the index with the database (missing, extra and stale
    documents) and report the outbox: rows waiting, the oldest one's age,
    rows failing and rows set aside. Exits 1 when a document is wrong or a
    row is set aside."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = checking.check(app)
    except IndexUnavailable as error:
        raise click.ClickException(str(error)) from None
    for label, ids in (
        ("missing", report.missing),
        ("extra", report.extra),
        ("stale", report.stale),
    ):
        for doc_id in ids[:50]:
            click.echo(f"{label}: {doc_id}")
        if len(ids) > 50:
            click.echo(f"{label}: ... and {len(ids) - 50} more")
    waiting = report.backlog
    for label, rows in (("failing", waiting.failing), ("set aside", waiting.poisoned)):
        for row, error in sorted(rows.items())[:50]:
            click.echo(f"{label}: outbox row {row}: {error}")
    age = waiting.oldest_seconds
    oldest = "" if age is None else f", the oldest {age:.0f} s old"
    click.echo(
        f"{report.documents} documents; {len(report.missing)} missing, {len(report.extra)} extra,"
        f" {len(report.stale)} stale; {waiting.pending} outbox rows not applied yet{oldest};"
        f" {len(waiting.failing)} failing, {len(waiting.poisoned)} set aside."
    )
    if waiting.poisoned:
        click.echo(
            "Rows set aside failed every attempt: fix the cause (see the log), then run"
            " `notesbase index apply --retry-poisoned`.",
            err=True,
        )
    if report.missing or report.extra or report.stale:
        click.echo("Run `notesbase index apply`, or `notesbase index rebuild`.", err=True)
    if not report.ok:
        raise SystemExit(1)


@index_cli.command("apply")
@click.option("--watch", is_flag=True, help="Keep applying as changes arrive (a worker).")
@click.option("--interval", default=0.05, show_default=True, help="Seconds between looks.")
@click.option(
    "--retry-poisoned",
    is_flag=True,
    help="First give every row set aside after failing a fresh set of attempts.",
)
def apply_command(watch: bool, interval: float, retry_poisoned: bool) -> None:
    """Apply the outbox to this host's index (what the app does after each
    commit in the embedded default)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if retry_poisoned:
        try:
            rows = backlog.retry_poisoned(app)
        except LockTimeout as error:
            raise click.ClickException(f"{error}; try again shortly.") from None
        click.echo(f"Trying {len(rows)} rows set aside again.")
    while True:
        try:
            applied = indexer.apply(app)
        except LockTimeout as error:
            if not watch:
                raise click.ClickException(f"{error}; try again shortly.") from None
            applied = 0
        if not watch:
            failing = backlog.backlog(app)
            click.echo(f"Applied {applied} outbox rows.")
            if failing.failing or failing.poisoned:
                click.echo(
                    f"{len(failing.failing)} rows failed and will be tried again;"
                    f" {len(failing.poisoned)} are set aside (`notesbase index check`).",
                    err=True,
                )
                raise SystemExit(1)
            return
        if not applied:
            time.sleep(max(interval, 0.01))
