"""What a search answers the reader: a page of hits (``SearchPage``, each
a ``Hit`` re-checked against the database), or that it cannot answer safely
now (``SearchUnavailable``, with the reason)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from notesbase.models import Meeting, Topic
from notesbase.search.query import ParsedQuery

PER_PAGE = 10
MAX_PAGE = 100

REBUILDING = "The search index is being rebuilt. Please try again in a moment."
CATCHING_UP = (
    "Search is catching up with a change to the people in the notes. Please try again in a moment."
)


class SearchUnavailable(Exception):
    """Search cannot answer safely now: try again shortly. ``message`` says
    why, for the reader (the index is being rebuilt, or a change to people
    is not yet known in the index, so any count could include it)."""

    def __init__(self, message: str = REBUILDING) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Hit:
    doctype: str  # "item", "meeting" or "writeup"
    meeting: Meeting
    kind: str
    snippet: Markup
    section: str = ""
    attribution: str | None = None
    item_id: int | None = None


@dataclass
class SearchPage:
    text: str
    parsed: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    topic_counts: list[tuple[Topic, int]] = field(default_factory=list)
    by_date: bool = False

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))
