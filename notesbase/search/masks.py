"""Which documents a search may find, as masks over a ``View``: those the
reader may see (``allowed``: public documents, and each series they read as
their audience there), live and not stale (``searchable``), and the filters
(``narrowed``); with the ``Statistics`` BM25F weighs words by over exactly
the searchable ones, so a document the reader cannot see changes no score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from notesbase.search.query import Filters
from notesbase.search.request import Access
from notesbase.search.segments import View

TEXT_FIELDS = ("text", "title")


@dataclass(frozen=True)
class Statistics:
    """What BM25F weighs words by, over the documents one reader may search:
    how many there are, and each text field's average length in words."""

    documents: int
    averages: tuple[tuple[str, float], ...]

    def average(self, name: str) -> float:
        return dict(self.averages)[name]


def statistics(view: View, searchable: np.ndarray) -> Statistics:
    """``Statistics`` of the documents in ``searchable``. Lengths are whole
    numbers summed in float64, so the sum is exact whatever the documents'
    order: the same documents in another index give the same scores."""
    count = int(np.count_nonzero(searchable))
    averages = tuple(
        (
            name,
            max(
                float(np.sum(view.lengths(name), where=searchable, dtype=np.float64))
                / max(count, 1),
                1.0,
            ),
        )
        for name in TEXT_FIELDS
    )
    return Statistics(max(1, count), averages)


def allowed(view: View, access: Access) -> np.ndarray:
    """The documents this reader may see (kept per view and reader)."""

    def make() -> np.ndarray:
        mask = view.mask("audiences", "public").copy()
        for series, audience in access.by_series:
            mask |= view.mask("series", str(series)) & view.mask("audiences", audience)
        return mask

    return view.memo(("allowed", access), make)


def searchable(
    view: View, access: Access, stale: tuple[frozenset[str], frozenset[str]]
) -> tuple[np.ndarray, Statistics]:
    """The documents this reader may search (live, within their access, not
    ``stale``: keys, meeting scopes), and their ranking ``Statistics``.
    Without stale documents both are kept per view and reader: the key is
    everything the mask is made of (the view's id names its segments and
    deletions; ``Access`` compares by value)."""
    if stale[0] or stale[1]:
        mask = view.live() & allowed(view, access)
        _without_waiting(view, mask, *stale)
        return mask, statistics(view, mask)

    def make() -> tuple[np.ndarray, Statistics]:
        mask = view.live() & allowed(view, access)
        mask.flags.writeable = False
        return mask, statistics(view, mask)

    return view.memo(("searchable", access), make)


def _without_waiting(
    view: View, mask: np.ndarray, keys: frozenset[str], scopes: frozenset[str]
) -> None:
    """Take out documents named by outbox rows not applied yet (read
    uncached: they change with every write)."""
    for segment, offset in zip(view.segments, view.offsets, strict=True):
        for name, values in (("key", keys), ("scope", scopes)):
            for value in values:
                mask[segment.source.postings(name, value).ids + int(offset)] = False


def narrowed(view: View, filters: Filters) -> np.ndarray | None:
    """The documents the filters keep, or None when there are none. The
    result is and-ed with what the reader may search, so a filter (the
    review state's meetings too) can only ever keep less."""
    masks: list[np.ndarray] = []
    if filters.meetings is not None:
        masks.append(_meetings(view, filters.meetings))
    if filters.series:
        masks.append(_any(view, "series", filters.series))
    masks.extend(view.mask("topics", topic) for topic in filters.topics)
    if filters.kinds:
        masks.append(_any(view, "kind", filters.kinds))
    if filters.number_from is not None or filters.number_to is not None:
        masks.append(_between(view.column("number"), filters.number_from, filters.number_to))
    if filters.date_from is not None or filters.date_to is not None:
        low = filters.date_from.toordinal() if filters.date_from else None
        high = filters.date_to.toordinal() if filters.date_to else None
        masks.append(_between(view.column("day"), low, high))
    if not masks:
        return None
    result = masks[0].copy()
    for mask in masks[1:]:
        result &= mask
    return result


def _meetings(view: View, meetings: frozenset[int]) -> np.ndarray:
    """Every document of these meetings (their scope), whatever its type."""
    result = np.zeros(view.size, dtype=bool)
    for meeting in meetings:
        result[view.postings("scope", f"meeting:{meeting}").ids] = True
    return result


def _any(view: View, name: str, values: Iterable[str]) -> np.ndarray:
    result = np.zeros(view.size, dtype=bool)
    for value in values:
        result |= view.mask(name, value)
    return result


def _between(column: np.ndarray, low: int | None, high: int | None) -> np.ndarray:
    result = np.ones(len(column), dtype=bool)
    if low is not None:
        result &= column >= low
    if high is not None:
        result &= column <= high
    return result
