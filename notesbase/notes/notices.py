"""What the editor tells a facilitator about the redactions of the items
they write: markup that cannot be read as a redaction (hidden from everyone
else until it is fixed) and sentences a cut leaves broken
(``notesbase.disclosure.problems`` says which)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import flash

from notesbase.disclosure import Confidentiality
from notesbase.disclosure.problems import Notices, item_notices
from notesbase.models import Item


def notices_of(item: Item) -> Notices:
    return _saved_notices(item.body, item.section, item.confidentiality)


@lru_cache(maxsize=1024)
def _saved_notices(body: str, section: str, confidentiality: Confidentiality) -> Notices:
    """A saved item's notices. Kept: the editor lists every item's on each
    page, and adding one item changes no other (what is typed and not saved
    is never kept: ``typed_notices``)."""
    return item_notices(body, section, confidentiality)


def typed_notices(body: str, section: str, confidentiality: str | None) -> Notices:
    """The notices for what is typed in an item form (not saved yet)."""
    try:
        level = Confidentiality(confidentiality or Confidentiality.OPEN.value)
    except ValueError:
        level = Confidentiality.OPEN
    return item_notices(body, section, level)


def meeting_notices(items: Iterable[Item]) -> dict[int, Notices]:
    """The items that have something to be told, by id."""
    found = {item.id: notices_of(item) for item in items}
    return {item_id: notices for item_id, notices in found.items() if notices}


def flash_notices(item: Item) -> None:
    """Say, after saving, that the item has a redaction that cannot be read
    or leaves a sentence broken: the editor shows which beside the item."""
    notices = notices_of(item)
    if notices.problems:
        flash(
            f"Item {item.position} was saved, but a redaction in it cannot be read: what it "
            "marks is hidden from members and the public until you fix it (see the item).",
            "warning",
        )
    elif notices.broken:
        flash(
            f"Item {item.position} was saved; after redaction a sentence in it reads broken "
            '(see the item): add alt="…" to the span to say what readers see instead.',
            "warning",
        )
