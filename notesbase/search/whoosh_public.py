"""Reading and writing the index through Whoosh's public API only: the
fallback for a Whoosh other than the one ``whoosh_internals`` was written
for (or with ``SEARCH_WHOOSH_INTERNALS`` off).

Searches still run on ``segments`` and ``ranking``, so the reader's access,
their own statistics, counts, topic counts and order are exactly the fast
path's: only how each segment is read differs. Here it is Whoosh's public
searcher and reader (``Index.searcher``, ``IndexReader.postings``,
``doc_field_length``, ``column_reader``), a posting and a document at a
time in Python: slower, the same answers. Whoosh's own scoring is not used:
it weighs words over the whole index, so documents a reader cannot see
would change their order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.reading import IndexReader, TermNotFound
from whoosh.writing import IndexWriter

from notesbase.search.segments import NO_POSITIONS, NO_POSTINGS, Postings


class PublicSegment:
    """One segment as Whoosh's public reader gives it: a
    ``segments.Source``. Its postings leave deleted documents out, so what
    is read changes as deletions grow: its ``id`` names both."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.size: int = reader.doc_count_all()
        self.deleted_count: int = self.size - reader.doc_count()
        self.id = f"{reader.segment().segment_id()}-{self.deleted_count}"

    def postings(self, field: str, term: str) -> Postings:
        positions = self.reader.schema[field].format.supports("positions")
        try:
            matcher = self.reader.postings(field, term)
        except TermNotFound:
            return NO_POSITIONS if positions else NO_POSTINGS
        ids: list[int] = []
        weights: list[float] = []
        found: list[list[int]] = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if positions:
                found.append(matcher.value_as("positions"))
            matcher.next()
        if not ids:
            return NO_POSITIONS if positions else NO_POSTINGS
        result_ids = np.array(ids, dtype=np.int32)
        result_weights = np.array(weights, dtype=np.float32)
        if not positions:
            return Postings(result_ids, result_weights)
        starts = np.zeros(len(found) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in found], out=starts[1:])
        flat = np.array([position for p in found for position in p], dtype=np.uint32)
        return Postings(result_ids, result_weights, flat, starts)

    def shared_postings(self, field: str, term: str, at: int | None = None) -> Postings | None:
        return None  # no postings packs through the public API

    def keeps(self, field: str) -> bool:
        return True

    def column(self, name: str) -> np.ndarray:
        return np.array(list(self.reader.column_reader(name, translate=False)), dtype=np.int32)

    def lengths(self, field: str) -> np.ndarray:
        length = self.reader.doc_field_length
        # A document without the field has length None here, not 0.
        return np.array([length(d, field) or 0 for d in range(self.size)], dtype=np.float32)

    def deleted(self) -> np.ndarray:
        alive = set(self.reader.all_doc_ids())
        return np.array([d for d in range(self.size) if d not in alive], dtype=np.int64)

    def words(self, field: str) -> Iterator[str]:
        for raw in self.reader.lexicon(field):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

    def prefix_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int, int | None]]:
        for raw, info in self.reader.iter_prefix(field, prefix):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            yield word, info.doc_frequency(), None

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return dict(self.reader.stored_fields(docnum))


class PublicSnapshot:
    """One version of the index through Whoosh's public searcher: a reader
    per segment, all opened again when the index changes."""

    def __init__(self, path: Path, opened: index.Index, previous: Any) -> None:
        self.path = path
        self.searcher = opened.searcher()
        leaves = self.searcher.reader().leaf_readers()
        self.sources = [PublicSegment(leaf) for leaf, _ in leaves if leaf.doc_count_all()]
        if isinstance(previous, PublicSnapshot):
            previous.close()

    def current(self) -> bool:
        return bool(self.searcher.up_to_date())

    def close(self) -> None:
        self.searcher.close()


def segments(opened: index.Index) -> list[Any]:
    """The segments of the index's latest version."""
    with opened.reader() as reader:
        found = [leaf.segment() for leaf, _ in reader.leaf_readers()]
    return [segment for segment in found if segment is not None]


def delete_matching(writer: IndexWriter, replace: list[tuple[str, str]]) -> None:
    """Mark deleted the documents matching ``replace``, through one
    searcher for all of them."""
    if not replace:
        return
    with writer.searcher() as searcher:
        for field, value in replace:
            writer.delete_by_term(field, value, searcher=searcher)
