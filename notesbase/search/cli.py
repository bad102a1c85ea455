"""``notesbase index rebuild | check | apply``."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from notesbase.search import indexer
from notesbase.search.engine import IndexUnavailable, LockTimeout

index_cli = AppGroup("index", help="Keep the search index in step with the database.")


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
    """Compare the index with the database: missing, extra and stale
    documents. Exits 1 when there are any."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        report = indexer.check(app)
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
    click.echo(
        f"{report.documents} documents; {len(report.missing)} missing, {len(report.extra)} extra,"
        f" {len(report.stale)} stale; {report.pending} outbox rows not applied yet."
    )
    if not report.ok:
        click.echo("Run `notesbase index apply`, or `notesbase index rebuild`.", err=True)
        raise SystemExit(1)


@index_cli.command("apply")
@click.option("--watch", is_flag=True, help="Keep applying as changes arrive (a worker).")
@click.option("--interval", default=0.05, show_default=True, help="Seconds between looks.")
def apply_command(watch: bool, interval: float) -> None:
    """Apply the outbox to this host's index (what the app does after each
    commit in the embedded default)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    while True:
        try:
            applied = indexer.apply(app)
        except LockTimeout as error:
            if not watch:
                raise click.ClickException(f"{error}; try again shortly.") from None
            applied = 0
        if not watch:
            click.echo(f"Applied {applied} outbox rows.")
            return
        if not applied:
            time.sleep(max(interval, 0.01))
