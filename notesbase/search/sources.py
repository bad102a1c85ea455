"""The public texts that features add to a meeting's search documents, as
the leak check's channels are added to it: a feature registers its text at
start-up and search asks for it by document type, so search imports no
feature. Publishing registers the published write-up (``"writeup"``).

- ``register_source(doctype, text)``: ``text(meeting)`` is the public
  title and plain text of that meeting's document of ``doctype``, as the
  public reads it now, or None when the public reads none;
- ``public_text(doctype, meeting)``: asked when the document is made, and
  again when a search re-checks a hit on it."""

from __future__ import annotations

from collections.abc import Callable

from notesbase.models import Meeting

PublicText = Callable[[Meeting], tuple[str, str] | None]

SOURCES: dict[str, PublicText] = {}


def register_source(doctype: str, text: PublicText) -> None:
    """Add (or replace) the source of the documents of ``doctype``."""
    SOURCES[doctype] = text


def doctypes() -> list[str]:
    """The document types a source is registered for, in a fixed order."""
    return sorted(SOURCES)


def public_text(doctype: str, meeting: Meeting) -> tuple[str, str] | None:
    """The public title and text of ``meeting``'s document of ``doctype``;
    None when the public reads none, or no source gives that type."""
    source = SOURCES.get(doctype)
    return None if source is None else source(meeting)
