"""Public write-ups: a facilitator's summary and chosen open items, published
for the public. The parts:

- ``writeup_service``: storing, publishing, and the public view, computed
  on every request through ``disclose`` over the published snapshot
  (``writeup_snapshot``) with the current people and consents;
- ``writeup_guard``: re-checks published write-ups in the transaction of any
  change that could alter them, and withholds one the leak check finds
  something in;
- ``writeup_views`` (pages), ``writeup_feed`` (Atom), ``writeup_api`` (JSON),
  ``writeup_export`` and ``writeup_markdown`` (the Markdown page);
- here: the leak check's "writeup" channel, ``notesbase export writeup``
  and ``published_text``, the search index's "writeup" source.

``published_text(meeting) -> tuple[str, str] | None``, registered with
search (``notesbase.search.sources``): for a meeting whose write-up the
public reads (published and not withheld), its public title and the full
plain text (the snapshot's summary and items, as ``disclose`` gives them to
the public now); None otherwise.

The leak check's "writeup" channel reads what the public reads: the
published snapshot, withheld or not (so facilitators see why it is
withheld); a draft, or any write-up inside ``writeup_service.drafting``,
as it would read if published.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from notesbase import private_files
from notesbase.disclosure import Audience, ItemFacts
from notesbase.disclosure.render import attribute_values
from notesbase.meetings.cli import meeting_export_arguments
from notesbase.models import Meeting
from notesbase.publishing import leakcheck
from notesbase.publishing.writeup_service import (
    CHANNEL,
    WriteupWithheld,
    exportable_writeup,
    find_writeup,
    public_writeup,
    published_writeup,
    summary_facts,
    writeup_sources,
)
from notesbase.search import sources as search_sources

CHANNEL_LABEL = "Public write-up"


def published_text(meeting: Meeting) -> tuple[str, str] | None:
    found = published_writeup(meeting)
    if found is None:
        return None
    return found.title, found.text()


def leak_fields(meeting: Meeting) -> list[leakcheck.Field]:
    """Every piece of text the public receives of this write-up, on every
    channel: the page, the API, the feed entry and the Markdown page. The
    page's pieces name the place they are made from (the feed entry and the
    Markdown page hold them all)."""
    from notesbase.publishing.writeup_export import file_name, markdown_page
    from notesbase.publishing.writeup_feed import entry_summary, entry_title

    public = public_writeup(meeting)
    Field = leakcheck.Field
    fields = [Field("page title", public.title, "meeting")]
    if public.summary is not None:
        fields.append(Field("summary", public.summary_text, "summary"))
        links = attribute_values(public.summary_html)
        if links:
            fields.append(Field("summary links", "\n".join(links), "summary"))
    for item in public.items:
        where = f"item {item.position}"
        fields.append(Field(f"{where} section", item.section, where))
        fields.append(Field(f"{where} text", item.body_text, where))
        fields.append(Field(f"{where} attribution", item.attribution or "", where))
        links = attribute_values(item.body_html)
        if links:
            fields.append(Field(f"{where} links", "\n".join(links), where))
    fields += [
        Field("feed entry title", entry_title(public)),
        Field("feed entry summary", entry_summary(public)),
        Field("Markdown file name", file_name(meeting)),
        Field("Markdown file", markdown_page(public)),
    ]
    return [field for field in fields if field.text]


def leak_sources(meeting: Meeting) -> list[tuple[str, ItemFacts]]:
    """What the write-up is made from, for the leak check's reading of its
    redactions: the summary and the chosen items, nothing else."""
    summary, items = writeup_sources(meeting, find_writeup(meeting))
    sources = [("summary", summary_facts(summary))] if summary.strip() else []
    return sources + [(f"item {facts.position}", facts) for facts in items]


@click.command("writeup")
@with_appcontext
@meeting_export_arguments
def export_writeup_command(slug: str, number: int, output: Path | None) -> None:
    """Write the public write-up of meeting NUMBER of series SLUG as a Markdown
    page for the network's website (front matter with ``writeup: true``).
    Refused while the leak check finds something."""
    from notesbase.meetings.cli import find_meeting
    from notesbase.publishing.writeup_export import markdown_page

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


def register(app: Flask) -> None:
    """Add the pages, feeds, leak-check channel, search source and command."""
    # Importing adds the feed's routes to the pages' blueprint; the API nests
    # the JSON routes (``writeup_api``) in its own.
    from notesbase.meetings.cli import export_cli
    from notesbase.publishing import writeup_feed, writeup_guard  # noqa: F401
    from notesbase.publishing.writeup_views import bp

    leakcheck.register_channel(
        CHANNEL, Audience.PUBLIC, leak_fields, CHANNEL_LABEL, sources=leak_sources
    )
    search_sources.register_source("writeup", published_text)
    export_cli.add_command(export_writeup_command)
    writeup_guard.install()
    app.register_blueprint(bp)
