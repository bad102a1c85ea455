"""How a series is named where several are offered for choice: by its title,
with its slug beside it when another series listed has the same title
("Community of Practice (cop-north)"), so two can always be told apart.

Titles are compared as a reader would: case, accents typed either way and
spacing do not make two titles different."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Protocol


class Named(Protocol):
    id: int
    slug: str
    title: str


def _same(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def series_labels(series: Iterable[Named]) -> dict[int, str]:
    """Each series' label by id: its title, and its slug too when another of
    ``series`` shares the title."""
    listed = {s.id: s for s in series}
    counts = Counter(_same(s.title) for s in listed.values())
    return {
        s.id: f"{s.title} ({s.slug})" if counts[_same(s.title)] > 1 else s.title
        for s in listed.values()
    }
