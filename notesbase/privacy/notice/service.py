"""The privacy notice: the admin's Markdown (``SiteSetting`` key
``privacy_notice``) or a default that says what is kept, why, for how long
and how to ask for it or its erasure; and each series' retention schedule,
read from the series as they are now. Writes flush; the caller commits."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from notesbase import audit
from notesbase.db import db
from notesbase.markdown import render_markdown
from notesbase.models import Member, Series, SiteSetting
from notesbase.text import without_hidden

KEY = "privacy_notice"
NOTICE_MAX = 20_000
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


class NoticeError(ValueError):
    """A notice that cannot be saved; the message says why."""


def md_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def contact() -> str:
    """Who to write to: ``PRIVACY_CONTACT``, else the facilitators."""
    address = str(current_app.config.get("PRIVACY_CONTACT") or "").strip()
    if address:
        return f"write to <{address}>" if "@" in address else f"write to {md_escape(address)}"
    return "ask the facilitators of your series, or the site's administrators"


def default_text() -> str:
    """The notice an admin has not replaced, in Markdown."""
    return f"""## What we keep

- **The notes** of each meeting: what was said, kept under the Chatham House Rule,
  with every earlier version of each item.
- **Names**: who took part and who said what, with their affiliation and any
  description they chose.
- **Consents**: how each person agreed to be credited, for members and for the
  public, with who recorded it and when, including consents withdrawn.
- **Emails**: the addresses of members and of the people asked to review the notes,
  and a record of the emails sent to them (when, what about; never the letters).
- **The audit log**: who changed what and when (never the text of the notes), and
  the dates of logins.

## Why

To keep an agreed record of each meeting for the network's members, to publish
the write-ups its participants agreed to, and to credit each person only as
they chose: nobody is named to anyone they have not agreed to.

## For how long

Each series keeps its full notes for the time set in its retention schedule
(below), then carries out what it says. Everything else is kept while the network
runs this site, or until you ask for it to be erased.

## Your access and erasure

You may ask for everything held about you, as one archive, and for your details
to be erased: {contact()}. If you have an account, you can download your own
archive from "My attributions".
"""


def stored() -> SiteSetting | None:
    return db.session.get(SiteSetting, KEY)


def notice_text() -> str:
    """The admin's text, or the default when there is none (or it is blank)."""
    setting = stored()
    if setting is None or not setting.value.strip():
        return default_text()
    return setting.value


def notice_html() -> Markup:
    """The notice as sanitised HTML: raw HTML in it is shown as text."""
    return render_markdown(notice_text())


def schedules() -> list[tuple[str, str]]:
    """Each series' title and its retention schedule, in words."""
    found = []
    for series in db.session.scalars(sa.select(Series).order_by(Series.title, Series.id)):
        if series.retention_months is None or series.retention_action is None:
            said = "kept until the network decides otherwise"
        else:
            months = series.retention_months
            said = (
                f"full notes kept for {months} month{'s' if months != 1 else ''} after each "
                f"meeting, then: {series.retention_action.label.lower()}"
            )
        found.append((series.title, said))
    return found


def set_notice(text: str, *, actor: Member | None) -> bool:
    """Save the admin's text (blank: back to the default); False when unchanged."""
    text = without_hidden(text or "").replace("\r\n", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    if len(text) > NOTICE_MAX:
        raise NoticeError(f"The notice may be at most {NOTICE_MAX:,} characters long.")
    setting = stored()
    if setting is not None and setting.value == text:
        return False
    if setting is None:
        if not text:
            return False
        setting = SiteSetting(key=KEY, value=text)
        db.session.add(setting)
    setting.value = text
    setting.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        "site.privacy_notice",
        "site",
        None,
        actor=actor,
        characters=len(text),
        default=not text,
    )
    return True
