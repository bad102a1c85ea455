"""What a search needs from each segment of the index, read once into
numpy arrays and kept: posting lists (documents, weights, word positions),
field lengths, the number and day columns, and masks of documents per
keyword.

A Whoosh segment never changes once written; only its set of deleted
documents grows. So everything here is keyed by what was read (a
``Source``'s id) and shared by every searcher and thread of the process: a
commit that adds a small segment leaves the arrays of the big ones in place,
and the first search after it reads only what is new. Reading whole posting
lists into arrays is what makes counts, topic counts and phrases cheap at
100,000 items. This module does not import Whoosh: its ``Source`` does the
reading.

The sources are per thread (Whoosh's file handles are not thread-safe); the
arrays are read-only and shared."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar

import numpy as np

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


class Source(Protocol):
    """How one segment is read: straight from Whoosh's files
    (``whoosh_internals.FileSegment``) or through its public API
    (``whoosh_public.PublicSegment``). ``id`` names what is read: two
    sources with one id give the same postings, columns and lengths."""

    id: str
    size: int  # documents, deleted ones included
    deleted_count: int

    def postings(self, field: str, term: str) -> Postings: ...

    def shared_postings(self, field: str, term: str, at: int | None = None) -> Postings | None:
        """The postings as they lie in a file every process maps (a
        postings pack), or None: then ``postings`` decodes them. ``at``:
        what ``prefix_frequencies`` gave for the term, saving a lookup."""

    def keeps(self, field: str) -> bool:
        """Whether postings of ``field`` decoded from it are worth keeping:
        not those a pack left out (words found once: quicker to read again
        than to keep for every word ever asked)."""

    def column(self, name: str) -> np.ndarray: ...

    def lengths(self, field: str) -> np.ndarray: ...

    def deleted(self) -> np.ndarray: ...

    def words(self, field: str) -> Iterable[str]: ...

    def prefix_frequencies(self, field: str, prefix: str) -> Iterable[tuple[str, int, int | None]]:
        """The words of ``field`` starting with ``prefix``, in order, each
        with how many of the segment's documents hold it, deleted ones
        included, and where a pack finds its postings (None: look it up)."""

    def stored_fields(self, docnum: int) -> dict[str, Any]: ...


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
    """One segment as searches see it: its source (this thread's, kept from
    one version of the index to the next while the segment lasts, with the
    current deletions), and the process-wide cache of what has been read
    from it."""

    def __init__(self, source: Source, cache: Cache) -> None:
        self.source = source
        self.cache = cache
        self.id = source.id
        self.size = source.size

    def _cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return self.cache.get((self.id, *key), make, _nbytes)

    def postings(self, field: str, term: str, at: int | None = None) -> Postings:
        """The term's postings: as they lie in the segment's pack, shared
        with every process and never copied; else decoded and kept. ``at``:
        see ``Source.shared_postings``."""
        shared = self.source.shared_postings(field, term, at)
        if shared is not None:
            return shared
        if not self.source.keeps(field):
            return self.source.postings(field, term)
        return self._cached(("postings", field, term), lambda: self.source.postings(field, term))

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
        source = self.source
        deleted = source.deleted_count

        def make() -> np.ndarray:
            alive = np.ones(self.size, dtype=bool)
            if deleted:
                alive[source.deleted()] = False
            return alive

        return self._cached(("live", deleted), make)

    def lengths(self, field: str) -> np.ndarray:
        return self._cached(("lengths", field), lambda: self.source.lengths(field))

    def column(self, name: str) -> np.ndarray:
        return self._cached(("column", name), lambda: self.source.column(name))

    def topics(self) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """Every (document, topic) pair of the segment as two arrays, and
        the topics' names: topic counts are one ``bincount`` away."""

        def make() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
            names = tuple(self.source.words("topics"))
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
        self.id = "view:" + ",".join(f"{s.id}-{s.source.deleted_count}" for s in segments)
        self.names = {segment.id for segment in segments} | {self.id}

    def _cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        return self.cache.get((self.id, *key), make, _nbytes)

    def _joined(self, parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def postings(
        self, field: str, term: str, held_by: Mapping[int, int | None] | None = None
    ) -> Postings:
        """The term's documents and weights across the segments (a phrase
        reads each segment's word positions where they lie: ``ranking``).
        ``held_by``: the only segments (by place) that hold the term, when
        known, each with where its pack finds the postings: the others are
        not looked in."""
        if not self.segments or held_by == {}:
            return NO_POSTINGS
        if len(self.segments) == 1 and held_by is None:
            return self.segments[0].postings(field, term)

        def part(place: int, segment: Segment) -> Postings:
            if held_by is None:
                return segment.postings(field, term)
            return (
                segment.postings(field, term, held_by[place]) if place in held_by else NO_POSTINGS
            )

        def make() -> Postings:
            return self._join([part(place, s) for place, s in enumerate(self.segments)])

        if not all(segment.source.keeps(field) for segment in self.segments):
            # With packs: put together from their arrays (or from a rare
            # word's few postings) for this asking only, so what a process
            # keeps does not grow with the variety of words asked.
            return make()
        return self._cached(("postings", field, term), make)

    def _join(self, parts: list[Postings]) -> Postings:
        """The segments' documents and weights side by side, documents
        numbered across them."""
        offsets = zip(parts, self.offsets, strict=True)
        ids = self._joined([(p.ids + int(o)).astype(np.int32) for p, o in offsets], np.int32)
        return Postings(ids, self._joined([p.weights for p in parts], np.float32))

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

    def prefix_words(self, field: str, prefix: str, limit: int) -> PrefixWords:
        """Up to ``limit`` words of ``field`` starting with ``prefix``, the
        first in order, each with how many documents of the whole index
        hold it (whoever may see them, so never fewer than a reader can
        find) and which segments. Each segment's word list is read up to
        ``limit`` words."""
        holders: dict[str, list[tuple[int, int, int | None]]] = {}
        cut = False
        for place, segment in enumerate(self.segments):
            found = segment.source.prefix_frequencies(field, prefix)
            for seen, (word, count, at) in enumerate(found):
                if seen >= limit:
                    cut = True
                    break
                holders.setdefault(word, []).append((place, count, at))
        words = sorted(holders)
        cut = cut or len(words) > limit
        kept = {word: holders[word] for word in words[:limit]}
        return PrefixWords(prefix, kept, max(kept) if cut and kept else None)


@dataclass(frozen=True)
class PrefixWords:
    """Words starting with ``prefix`` in one field, each with the segments
    that hold it (their places in the view), how many documents there and
    where a pack finds its postings;
    ``last``: where the list was cut (None: it holds every such word). A
    segment cut short stopped after ``limit`` words, each before its last,
    so a word up to ``last`` was looked for in every segment."""

    prefix: str
    holders: dict[str, list[tuple[int, int, int | None]]]
    last: str | None

    def covers(self, word: str) -> bool:
        """Whether ``word`` was looked for in every segment."""
        return word.startswith(self.prefix) and (self.last is None or word <= self.last)

    def at_most(self, word: str) -> int:
        """How many documents of the index hold ``word`` in this field (a
        word the list ``covers``)."""
        return sum(count for _, count, _ in self.holders.get(word, ()))

    def held_by(self, word: str) -> dict[int, int | None]:
        """The segments holding ``word`` in this field (a word the list
        ``covers``), each with where its pack finds the postings."""
        return {place: at for place, _, at in self.holders.get(word, ())}
