"""The write-up as a Markdown page for the network's website (Jekyll), with
front matter in the shape of its event pages (as in ``tests/fixtures/events/``)
and ``writeup: true``.

Everything in it comes from the public write-up (``PublicWriteup``) and the
meeting's public details. It carries no author or reviewer: the event pages'
``author`` is never copied, and nothing names who wrote or published it."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
import yaml

from notesbase import site
from notesbase.db import db
from notesbase.meetings import timeline
from notesbase.models import Meeting, utcnow
from notesbase.publishing.writeups.markdown import escape, html_to_markdown
from notesbase.publishing.writeups.public import PublicWriteup
from notesbase.text import slugify

# Keys an imported event page kept in ``source_extra`` that the website's
# layout reads, with the value used when neither the meeting nor another
# meeting of its series has one. Never "author".
SITE_KEYS: dict[str, Any] = {"layout": "event", "image": None, "featured": False, "category": None}
PROJECT_KEY = "project"
EXCERPT = "<!--more-->"
CHATHAM_HOUSE = (
    "This meeting was held under the Chatham House Rule: what was said may be used, "
    "but not who said it, unless they agreed to be credited."
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(meeting: Meeting) -> str:
    """The page's file name: the event page it was imported from when there
    is one (so the website's page is replaced), else ``DATE-SERIES-N.md``."""
    stem = _SAFE_NAME.sub("-", meeting.source_ref or "").strip(".-")
    if not re.match(r"\d{4}-\d{2}-\d{2}-", stem):
        stem = f"{meeting.date.isoformat()}-{slugify(meeting.series.slug)}-{meeting.number}"
    return f"{stem[:150]}.md"


def _site_value(meeting: Meeting, key: str, default: Any) -> Any:
    """``key`` from the meeting's own event page, else from the latest page of
    its series that had it (a meeting made here inherits the series' image)."""
    extra = meeting.source_extra or {}
    if key in extra:
        return extra[key]
    others = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.id != meeting.id,
            Meeting.source_extra.is_not(None),
        )
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    )
    for other in others:
        if key in (other.source_extra or {}):
            return other.source_extra[key]  # type: ignore[index]
    return default


def front_matter(public: PublicWriteup) -> dict[str, Any]:
    """The keys of an event page, in its order, with ``writeup: true``."""
    meeting = public.meeting
    now = utcnow()
    matter: dict[str, Any] = {
        "layout": _site_value(meeting, "layout", SITE_KEYS["layout"]),
        "title": meeting.series.title,
        "image": _site_value(meeting, "image", SITE_KEYS["image"]),
        "upcoming": timeline.is_upcoming(meeting, now),
        "writeup": True,
        "featured": _site_value(meeting, "featured", SITE_KEYS["featured"]),
        "date": meeting.date,
        "topics": [topic.name for topic in meeting.topics],
        "category": _site_value(meeting, "category", SITE_KEYS["category"]),
        "link": timeline.registration_link(meeting, now),
        PROJECT_KEY: _site_value(meeting, PROJECT_KEY, []),
    }
    return matter


def _item_markdown(kind: str, attribution: str | None, body_html: str, base: str | None) -> str:
    credit = f" · {escape(attribution)}" if attribution else ""
    return f"*{kind}{credit}*\n\n{html_to_markdown(body_html, base)}".rstrip()


def page_address(meeting: Meeting) -> str | None:
    """The public write-up page at the site's address (None when no address
    is known): the links the writers made relative are read from there."""
    if site.known_base_url() is None:
        return None
    return site.url_for_site("writeups.public", slug=meeting.series.slug, number=meeting.number)


def body(public: PublicWriteup) -> str:
    """The summary (the page's excerpt), then the items under their headings;
    links absolute, so the website's page leads where the write-up did."""
    base = page_address(public.meeting)
    parts: list[str] = []
    summary = html_to_markdown(public.summary_html, base)
    if summary:
        parts += [summary, EXCERPT]
    if public.meeting.chatham_house:
        parts.append(f"> {CHATHAM_HOUSE}")
    for section in public.view.sections:
        if section.heading:
            parts.append(f"## {escape(section.heading)}")
        for item in section.items:
            parts.append(_item_markdown(item.kind.label, item.attribution, item.body_html, base))
    return "\n\n".join(parts) + "\n"


def markdown_page(public: PublicWriteup) -> str:
    """The whole file: front matter between ``---`` lines, then the body."""
    matter = yaml.safe_dump(
        front_matter(public), sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return f"---\n{matter}---\n\n{body(public)}"
