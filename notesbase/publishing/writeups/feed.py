"""Atom feeds of published write-ups: one per series and one for all series.

Each entry's title and summary are the public write-up as it reads now (its
published snapshot through ``disclose``), so a withdrawn consent leaves the
feed on the next request too, and a withheld write-up has no entry. Ids
and links come from the site's address (``BASE_URL``), never the request's
host, so they stay the same however the feed is reached.
Built with ``xml.etree``, which escapes text and attribute values;
characters XML 1.0 cannot carry are dropped first."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from flask import Response

from notesbase import site
from notesbase.meetings.views import load_series
from notesbase.models import Meeting, Series, utcnow
from notesbase.publishing.writeups.public import (
    PublicWriteup,
    published_meetings,
    published_writeup,
)
from notesbase.publishing.writeups.views import REVALIDATE, bp

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
SUMMARY_LENGTH = 600
SITE_TITLE = "notesbase"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    summary: str
    published: datetime
    updated: datetime


def entry_title(public: PublicWriteup) -> str:
    return f"{public.meeting.series.title}: {public.title}"


def entry_summary(public: PublicWriteup) -> str:
    """The disclosed summary; without one, the start of the items' text."""
    text = " ".join((public.summary_text or public.text()).split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _entry(meeting: Meeting) -> Entry | None:
    public = published_writeup(meeting)
    writeup = public.writeup if public is not None else None
    if public is None or writeup is None or writeup.published_at is None:
        return None  # not published, or withheld
    first = writeup.first_published_at or writeup.published_at
    # Stable across renamed series (tag URI, RFC 4151): the meeting's id and
    # the day it was first published.
    entry_id = f"tag:{site.host()},{first.date().isoformat()}:notesbase/writeup/{meeting.id}"
    return Entry(
        id=entry_id,
        title=entry_title(public),
        link=site.url_for_site("writeups.public", slug=meeting.series.slug, number=meeting.number),
        summary=entry_summary(public),
        published=first,
        updated=max(writeup.updated_at, writeup.published_at),
    )


def atom(*, title: str, feed_url: str, page_url: str, author: str, entries: list[Entry]) -> bytes:
    """An Atom 1.0 document (RFC 4287)."""
    feed = ET.Element("feed", xmlns=ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
        if text is not None:
            child.text = _xml_text(text)
        return child

    add(feed, "id", feed_url)
    add(feed, "title", title)
    updated = max((entry.updated for entry in entries), default=utcnow())
    add(feed, "updated", _stamp(updated))
    add(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    add(feed, "link", rel="alternate", type="text/html", href=page_url)
    add(add(feed, "author"), "name", author)
    add(feed, "generator", "notesbase")
    for entry in entries:
        element = add(feed, "entry")
        add(element, "id", entry.id)
        add(element, "title", entry.title, type="text")
        add(element, "link", rel="alternate", type="text/html", href=entry.link)
        add(element, "published", _stamp(entry.published))
        add(element, "updated", _stamp(entry.updated))
        add(element, "summary", entry.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _feed_response(body: bytes) -> Response:
    response = Response(body, content_type="application/atom+xml; charset=utf-8")
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _entries(series: Series | None) -> list[Entry]:
    entries = (_entry(m) for m in published_meetings(series=series, limit=FEED_SIZE))
    return [entry for entry in entries if entry is not None]


@bp.route("/series/<slug>/writeups.atom")
def series_feed(slug: str) -> Response:
    series = load_series(slug)
    return _feed_response(
        atom(
            title=f"{series.title}: write-ups",
            feed_url=site.url_for_site("writeups.series_feed", slug=series.slug),
            page_url=site.url_for_site("meetings.series", slug=series.slug),
            author=series.title,
            entries=_entries(series),
        )
    )


@bp.route("/writeups.atom")
def feed() -> Response:
    return _feed_response(
        atom(
            title=f"{SITE_TITLE}: write-ups of every series",
            feed_url=site.url_for_site("writeups.feed"),
            page_url=site.url_for_site("meetings.index"),
            author=SITE_TITLE,
            entries=_entries(None),
        )
    )
