"""What a search needs from each Whoosh segment, read once into numpy
arrays and kept: posting lists (documents, weights, word positions), field
lengths, the number and day columns, and masks of documents per keyword.

A Whoosh segment never changes once written; only its set of deleted
documents grows. So everything here is keyed by segment and shared by every
searcher and thread of the process: a commit that adds a small segment
leaves the arrays of the big ones in place, and the first search after it
reads only what is new. Whoosh's own matchers walk postings one document
at a time in Python; reading whole blocks into arrays is what makes counts,
topic counts and phrases cheap at 100,000 items.

The readers used here are per thread (Whoosh's file handles are not
thread-safe); the arrays are read-only and shared."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

from notesbase.search.analysis import ArrayPositions

# Whoosh keeps a field's length per document as one byte; this turns the
# bytes back into the lengths they stand for.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_EMPTY_IDS = np.zeros(0, dtype=np.int32)
T = TypeVar("T")


@dataclass(frozen=True)
class Postings:
    """One term's postings in one segment. ``positions`` holds every
    posting's word positions one after another; ``starts[i]`` is where
    posting ``i``'s begin (only for fields that keep positions)."""

    ids: np.ndarray
    weights: np.ndarray
    positions: np.ndarray | None = None
    starts: np.ndarray | None = None

    @cached_property
    def keys(self) -> np.ndarray:
        """Each occurrence as one sortable number, document then position,
        so a phrase is a search for the next word at position + 1."""
        assert self.positions is not None and self.starts is not None
        documents = np.repeat(self.ids.astype(np.int64), np.diff(self.starts))
        return (documents << 32) | self.positions.astype(np.int64)

    @property
    def nbytes(self) -> int:
        size = self.ids.nbytes + self.weights.nbytes
        if self.positions is not None and self.starts is not None:
            # The positions, their starts, and room for ``keys`` once made.
            size += self.positions.nbytes * 3 + self.starts.nbytes
        return int(size)


NO_POSTINGS = Postings(_EMPTY_IDS, np.zeros(0, dtype=np.float32))
NO_POSITIONS = Postings(
    _EMPTY_IDS, np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.uint32), np.zeros(1, np.int64)
)


def read_postings(reader: SegmentReader, field: str, term: str) -> Postings:
    """Every posting of ``term`` in ``field`` of this segment, deleted
    documents included (searches mask them out), a block at a time; with
    word positions where the field keeps them."""
    terms = reader._terms
    positions = isinstance(reader.schema[field].format, ArrayPositions)
    try:
        info = terms.term_info(field, term.encode("utf-8"))
    except (KeyError, TermNotFound):
        return NO_POSITIONS if positions else NO_POSTINGS
    blocks: list[tuple[Any, Any, Any, int]] = []
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        blocks.append((ids, weights, values, len(ids)))
        delta = False
    else:
        offset, length = info.extent()
        matcher = W3LeafMatcher(terms._postfile, offset, length, reader.schema[field].format)
        while not matcher._atend:
            matcher._read_data()
            ids, weights, values = matcher._data
            blocks.append((ids, weights, values, matcher._blocklength))
            matcher._next_block()
        delta = True
    id_parts, weight_parts, value_parts = [], [], []
    for ids, weights, values, count in blocks:
        block_ids = np.array(ids, dtype=np.int64)
        # On disk a block's ids are stored as differences from the one before.
        id_parts.append(np.cumsum(block_ids) if delta else block_ids)
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.array(weights, dtype=np.float32))
        if positions:
            value_parts.extend(values)
    result_ids = np.concatenate(id_parts).astype(np.int32)
    result_weights = np.concatenate(weight_parts)
    if not positions:
        return Postings(result_ids, result_weights)
    sizes = np.fromiter((len(v) // 4 for v in value_parts), dtype=np.int64, count=len(value_parts))
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    flat = np.frombuffer(b"".join(value_parts), dtype=np.uint32)
    return Postings(result_ids, result_weights, flat, starts)


def column_array(reader: SegmentReader, name: str, dtype: str, default: int = 0) -> np.ndarray:
    """A fixed-width column of this segment (Whoosh writes them big-endian
    and leaves trailing default values out) as an array, one per document."""
    count = reader.doc_count_all()
    perdoc = reader._perdoc
    values = np.full(count, default, dtype=np.dtype(dtype).newbyteorder("="))
    if perdoc.has_column(name):
        handle, offset, length = perdoc._get_column_file(name)
        raw = np.frombuffer(handle.get(offset, length), dtype=dtype)
        values[: len(raw)] = raw
    return values


class Cache:
    """A byte-bounded least-recently-used store shared by every thread."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T], size: Callable[[T], int]) -> T:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]  # type: ignore[no-any-return]
        value = make()
        nbytes = size(value)
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, nbytes)
                self.used += nbytes
                while self.used > self.limit and len(self._items) > 1:
                    _, (_, freed) = self._items.popitem(last=False)
                    self.used -= freed
        return value

    def forget(self, keep: Callable[[Hashable], bool]) -> None:
        """Drop what belongs to segments that are gone."""
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                self.used -= self._items.pop(key)[1]


def _nbytes(value: Any) -> int:
    if isinstance(value, Postings):
        return value.nbytes
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, tuple):
        return sum(_nbytes(part) for part in value)
    return 64


class Segment:
    """One segment as searches see it: its reader (this thread's, kept from
    one version of the index to the next while the segment lasts), its
    entry in the current table of contents (which holds its deletions), and
    the process-wide cache of what has been read from it."""

    def __init__(self, reader: SegmentReader, entry: Any, cache: Cache) -> None:
        self.reader = reader
        self.entry = entry
        self.cache = cache
        self.id = entry.segment_id()
        self.size = entry.doc_count_all()

    def _cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return self.cache.get((self.id, *key), make, _nbytes)

    def postings(self, field: str, term: str) -> Postings:
        return self._cached(
            ("postings", field, term), lambda: read_postings(self.reader, field, term)
        )

    def mask(self, field: str, term: str) -> np.ndarray:
        """The documents that carry ``term`` in a keyword field."""

        def make() -> np.ndarray:
            found = np.zeros(self.size, dtype=bool)
            found[self.postings(field, term).ids] = True
            return found

        return self._cached(("mask", field, term), make)

    def live(self) -> np.ndarray:
        """The documents not deleted. A segment's deletions only ever grow,
        so their number tells one state from the next."""
        segment = self.entry
        deleted = segment.deleted_count()

        def make() -> np.ndarray:
            alive = np.ones(self.size, dtype=bool)
            if deleted:
                alive[np.fromiter(segment.deleted_docs(), dtype=np.int64)] = False
            return alive

        return self._cached(("live", deleted), make)

    def lengths(self, field: str) -> np.ndarray:
        return self._cached(
            ("lengths", field),
            lambda: _LENGTHS[column_array(self.reader, f"_{field}_len", "u1")],
        )

    def column(self, name: str) -> np.ndarray:
        return self._cached(("column", name), lambda: column_array(self.reader, name, ">i4"))

    def topics(self) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """Every (document, topic) pair of the segment as two arrays, and
        the topics' names: topic counts are one ``bincount`` away."""

        def make() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
            names = tuple(
                raw.decode("utf-8") if isinstance(raw, bytes) else raw
                for raw in self.reader.lexicon("topics")
            )
            documents = [self.postings("topics", name).ids for name in names]
            which = [np.full(len(ids), i, dtype=np.int32) for i, ids in enumerate(documents)]
            if not names:
                return names, _EMPTY_IDS, _EMPTY_IDS
            return names, np.concatenate(documents), np.concatenate(which)

        return self._cached(("topics",), make)

    def memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """Anything else worth keeping per segment (access masks)."""
        return self._cached(("memo", *key), make)


class View:
    """All segments of one version of the index as one: their arrays side by
    side, documents numbered across all of them (a segment's first document
    follows the last of the one before). A query then runs each numpy step
    once, not once per segment. Made once per version of the index; its
    arrays are put together from the segments' on first use and kept in the
    cache (a save adds a segment, so only what a query asks for is put
    together again, from arrays already read)."""

    def __init__(self, segments: list[Segment], cache: Cache) -> None:
        self.segments = segments
        self.cache = cache
        sizes = [segment.size for segment in segments]
        self.offsets = np.zeros(len(segments), dtype=np.int64)
        if segments:
            np.cumsum(sizes[:-1], out=self.offsets[1:])
        self.size = int(sum(sizes))
        # Deletions change the view (live documents), not the segments' arrays.
        self.id = "view:" + ",".join(f"{s.id}-{s.entry.deleted_count()}" for s in segments)
        self.names = {segment.id for segment in segments} | {self.id}

    def _cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return self.cache.get((self.id, *key), make, _nbytes)

    def _joined(self, parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def postings(self, field: str, term: str) -> Postings:
        if not self.segments:
            return NO_POSTINGS
        if len(self.segments) == 1:
            return self.segments[0].postings(field, term)

        def make() -> Postings:
            parts = [s.postings(field, term) for s in self.segments]
            ids = self._joined(
                [
                    (p.ids + int(o)).astype(np.int32)
                    for p, o in zip(parts, self.offsets, strict=True)
                ],
                np.int32,
            )
            weights = self._joined([p.weights for p in parts], np.float32)
            if any(p.positions is None for p in parts):
                return Postings(ids, weights)
            positions = self._joined([p.positions for p in parts], np.uint32)  # type: ignore[misc]
            starts = np.zeros(len(ids) + 1, dtype=np.int64)
            np.cumsum(np.concatenate([np.diff(p.starts) for p in parts]), out=starts[1:])  # type: ignore[arg-type]
            return Postings(ids, weights, positions, starts)

        return self._cached(("postings", field, term), make)

    def _side_by_side(
        self, key: tuple[Any, ...], part: Callable[[Segment], np.ndarray]
    ) -> np.ndarray:
        if len(self.segments) == 1:
            return part(self.segments[0])
        return self._cached(key, lambda: self._joined([part(s) for s in self.segments], bool))

    def mask(self, field: str, term: str) -> np.ndarray:
        return self._side_by_side(("mask", field, term), lambda s: s.mask(field, term))

    def live(self) -> np.ndarray:
        return self._side_by_side(("live",), lambda s: s.live())

    def lengths(self, field: str) -> np.ndarray:
        return self._side_by_side(("lengths", field), lambda s: s.lengths(field))

    def column(self, name: str) -> np.ndarray:
        return self._side_by_side(("column", name), lambda s: s.column(name))

    def topics(self) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """Every (document, topic) pair as two arrays, and the topics' names."""

        def make() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
            names: dict[str, int] = {}
            documents, which = [], []
            for segment, offset in zip(self.segments, self.offsets, strict=True):
                local, docs, topics = segment.topics()
                numbers = np.array([names.setdefault(n, len(names)) for n in local], np.int32)
                documents.append(docs + int(offset))
                which.append(numbers[topics] if len(local) else topics)
            return (
                tuple(names),
                self._joined(documents, np.int32),
                self._joined(which, np.int32),
            )

        return self._cached(("topics",), make)

    def memo(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """Anything else worth keeping for this view (access masks)."""
        return self._cached(("memo", *key), make)

    def locate(self, document: int) -> tuple[Segment, int]:
        """The segment holding ``document``, and its number there."""
        at = int(np.searchsorted(self.offsets, document, side="right")) - 1
        return self.segments[at], document - int(self.offsets[at])

    def expand_prefix(self, field: str, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words of ``field`` starting with ``prefix``, from
        each segment's word list, in order."""
        words: set[str] = set()
        for segment in self.segments:
            for seen, raw in enumerate(segment.reader.expand_prefix(field, prefix)):
                if seen >= limit:
                    break
                words.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        return sorted(words)[:limit]
