"""The write-up as the rest of the app reads it: search's "writeup" source
and the leak check's "writeup" channel.

``published_text(meeting) -> tuple[str, str] | None``, registered with
search (``notesbase.search.sources``): for a meeting whose write-up the
public reads (published and not withheld), its public title and the full
plain text (the snapshot's summary and items, as ``disclose`` gives them to
the public now); None otherwise.

The leak check's "writeup" channel reads what the public reads: the
published snapshot, withheld or not (so facilitators see why it is
withheld); a draft, or any write-up inside ``public.drafting``, as it
would read if published.
"""

from __future__ import annotations

from notesbase.disclosure import Audience, ItemFacts
from notesbase.disclosure.render import attribute_values
from notesbase.models import Meeting
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.public import (
    CHANNEL,
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
    from notesbase.publishing.writeups.export import file_name, markdown_page
    from notesbase.publishing.writeups.feed import entry_summary, entry_title

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


def register_channels() -> None:
    """Register the leak check's "writeup" channel and search's "writeup" source."""
    leakcheck.register_channel(
        CHANNEL, Audience.PUBLIC, leak_fields, CHANNEL_LABEL, sources=leak_sources
    )
    search_sources.register_source("writeup", published_text)
