"""Running a parsed query over the index with numpy.

The index answers as one ``View`` of its segments: a mask of the documents
that match and a score for each. The reader's access, the filters and the
documents still waiting in the outbox are masks (``masks``), and so are
the excluded words; words are posting lists laid over the mask; a phrase is a word followed by
the next one at the next position. Counts and topic counts are taken from
the final mask, so they cover exactly the documents the reader may see and
that match, and only the page's hits are ever looked up one by one.

Scores are BM25F as Whoosh computes it (B 0.75, K1 1.2, idf
log(N / (df + 1)) + 1, the title's boost in its weights), summed over the
query's words and fields. N, each word's df and the fields' average
lengths are taken over the documents this reader may search
(``Statistics``), never the whole index: a document they cannot see (another
series, a confidential view, a deleted one not merged away yet) changes no
score and so no order. Equal scores are ordered by a stable key (newest
meeting, then the item or meeting id), so pages never repeat or skip a hit."""

from __future__ import annotations

import bisect
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from notesbase.search.analysis import analyse
from notesbase.search.masks import TEXT_FIELDS, Statistics, narrowed, searchable
from notesbase.search.query import AnyOf, Clause, Prefix, Term, Word
from notesbase.search.request import SearchRequest
from notesbase.search.segments import Postings, PrefixWords, Segment, View

MAX_PREFIX_EXPANSIONS = 64
# Candidates looked at per prefix before giving up: a short prefix cannot
# make a query walk the whole vocabulary.
MAX_PREFIX_CANDIDATES = MAX_PREFIX_EXPANSIONS * 8
B, K1 = 0.75, 1.2


@dataclass
class Ranked:
    """A page of hits as (segment, document number there), the total, the
    topic counts, and the index terms the query matched (for highlighting)."""

    total: int
    hits: list[tuple[Segment, int]]
    topic_counts: dict[str, int]
    terms: frozenset[str] = field(default_factory=frozenset)


@dataclass
class _Match:
    """Which documents match, and their scores."""

    mask: np.ndarray
    score: np.ndarray

    def __and__(self, other: _Match) -> _Match:
        return _Match(self.mask & other.mask, self.score + other.score)

    def __or__(self, other: _Match) -> _Match:
        return _Match(self.mask | other.mask, self.score + other.score)


class _Query:
    """One query over one view of the index."""

    def __init__(
        self, view: View, within: np.ndarray, searchable: np.ndarray, stats: Statistics
    ) -> None:
        self.view = view
        self.within = within
        self.searchable = searchable
        self.stats = stats
        self.terms: set[str] = set()
        self._frequencies: dict[tuple[str, str], int] = {}
        self._postings: dict[tuple[str, str], Postings] = {}
        # Which segments hold a word, where a prefix's word lists tell.
        self._held_by: dict[tuple[str, str], dict[int, int | None] | None] = {}

    def postings(self, name: str, term: str) -> Postings:
        """The view's postings of ``term``, asked for once in this query
        (those put together from several packs are made for each asking)."""
        key = (name, term)
        found = self._postings.get(key)
        if found is None:
            held_by = self._held_by.get(key)
            found = self._postings[key] = self.view.postings(name, term, held_by)
        return found

    def frequency(self, name: str, term: str) -> int:
        """How many documents the reader may search hold ``term`` in field
        ``name`` (its df): the ones they cannot see do not count."""
        key = (name, term)
        if key not in self._frequencies:
            ids = self.postings(name, term).ids
            self._frequencies[key] = int(np.count_nonzero(self.searchable[ids]))
        return self._frequencies[key]

    def nothing(self) -> _Match:
        return _Match(
            np.zeros(self.view.size, dtype=bool), np.zeros(self.view.size, dtype=np.float32)
        )

    def _findable(self, name: str, term: str) -> int:
        """How many documents this query may find hold ``term`` in field
        ``name``: its df when no filter narrows the search (counted once)."""
        if self.within is self.searchable:
            return self.frequency(name, term)
        return int(np.count_nonzero(self.within[self.postings(name, term).ids]))

    def _bm25(self, name: str, term: str, ids: np.ndarray | None = None) -> np.ndarray:
        """The BM25F score of ``term`` in field ``name`` for documents
        ``ids`` (each of which holds the term), or for every document that
        holds it."""
        postings = self.postings(name, term)
        if ids is None:
            ids, weights = postings.ids, postings.weights
        else:
            weights = postings.weights[np.searchsorted(postings.ids, ids)]
        lengths = self.view.lengths(name)[ids]
        average = self.stats.average(name)
        idf = math.log(self.stats.documents / (self.frequency(name, term) + 1)) + 1
        return idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))

    def word(self, term: str) -> _Match:
        """One index term, in the text or the title."""
        self.terms.add(term)
        match = self.nothing()
        for name in TEXT_FIELDS:
            ids = self.postings(name, term).ids
            if len(ids):
                match.mask[ids] = True
                match.score[ids] += self._bm25(name, term)
        return match

    def phrase(self, terms: Sequence[str]) -> _Match:
        """Index terms one after another, in the text or in the title."""
        self.terms.update(terms)
        match = self.nothing()
        for name in TEXT_FIELDS:
            ids = _phrase_documents(self.view, name, terms)
            if len(ids):
                match.mask[ids] = True
                for term in terms:
                    match.score[ids] += self._bm25(name, term, ids)
        return match

    def prefix(self, text: str) -> _Match:
        """Words starting with ``text`` (or with its stem): the most frequent
        ones in the documents this query may find, at most
        ``MAX_PREFIX_EXPANSIONS`` (ties by word), so words the reader cannot
        see never crowd out the ones they can."""
        match = self.nothing()
        for word in self._expansions(sorted({text, *analyse(text)})):
            match = match | self.word(word)
        return match

    def _expansions(self, prefixes: list[str]) -> list[str]:
        """The words a prefix query asks for. Each candidate's count is
        exact, but candidates are taken most frequent in the whole index
        first, and once one could not reach the last place kept, neither can
        any after it: a count is never more than that frequency. The words
        chosen are the same as when every candidate is counted."""
        lists = {
            name: [self.view.prefix_words(name, p, MAX_PREFIX_CANDIDATES) for p in prefixes]
            for name in TEXT_FIELDS
        }
        candidates = {word for found in lists.values() for words in found for word in words.holders}
        bounds = dict.fromkeys(candidates, 0)
        for name in TEXT_FIELDS:
            for word in candidates:
                covering = _covering(lists[name], word)
                if covering is None:  # unknown: counted before any known one
                    bounds[word] += sys.maxsize
                    self._held_by[(name, word)] = None
                else:
                    bounds[word] += covering.at_most(word)
                    self._held_by[(name, word)] = covering.held_by(word)
        kept: list[tuple[int, str]] = []  # (-count, word), best first
        for word in sorted(candidates, key=lambda word: (-bounds[word], word)):
            if len(kept) == MAX_PREFIX_EXPANSIONS and (-bounds[word], word) > kept[-1]:
                break
            count = sum(self._findable(name, word) for name in TEXT_FIELDS)
            if count:
                bisect.insort(kept, (-count, word))
                del kept[MAX_PREFIX_EXPANSIONS:]
        return [word for _, word in kept]

    def term(self, term: Term) -> _Match:
        if isinstance(term, Prefix):
            return self.prefix(term.text)
        words = analyse(term.text if isinstance(term, Word) else " ".join(term.words))
        if not words:
            return self.nothing()
        return self.word(words[0]) if len(words) == 1 else self.phrase(words)

    def clause(self, clause: Clause) -> _Match:
        if isinstance(clause, AnyOf):
            match = self.nothing()
            for option in clause.options:
                match = match | self.term(option)
            return match
        return self.term(clause)


def _covering(lists: list[PrefixWords], word: str) -> PrefixWords | None:
    """The first of a field's prefix lists that looked for ``word`` in
    every segment, or None (then its count is unknown and every segment is
    looked in)."""
    return next((words for words in lists if words.covers(word)), None)


def _phrase_documents(view: View, name: str, terms: Sequence[str]) -> np.ndarray:
    """Documents where ``terms`` follow one another in field ``name``, a
    segment at a time: each segment's postings are read where they lie (a
    pack's arrays), never joined with the other segments'."""
    found = []
    for segment, offset in zip(view.segments, view.offsets, strict=True):
        documents = _phrase_in([segment.postings(name, term) for term in terms])
        if len(documents):
            found.append(documents + np.int32(offset))
    return np.concatenate(found) if found else _NO_DOCUMENTS


def _phrase_in(postings: list[Postings]) -> np.ndarray:
    """The documents of one segment where the terms whose ``postings`` are
    given follow one another. The rarest term's occurrences give the
    candidate starts (its position - its place in the phrase); each other
    term must be found at start + its place, and only its occurrences in
    the documents still in question are looked at. Occurrence keys are
    sorted and distinct, so each test is one merge of two sorted arrays
    (``_common``)."""
    if any(len(p.ids) == 0 or p.positions is None for p in postings):
        return _NO_DOCUMENTS
    rarest = min(range(len(postings)), key=lambda k: len(postings[k].positions))  # type: ignore[arg-type]
    starts = postings[rarest].keys - rarest
    for place, following in enumerate(postings):
        if place == rarest:
            continue
        candidates = np.unique((starts >> 32).astype(np.int32))
        starts = _common(starts + place, _keys_in(following, candidates)) - place
        if not len(starts):
            return _NO_DOCUMENTS
    documents = (starts >> 32).astype(np.int32)
    # Sorted already: keep the first of each run.
    first = np.ones(len(documents), dtype=bool)
    first[1:] = documents[1:] != documents[:-1]
    return documents[first]


def _keys_in(postings: Postings, documents: np.ndarray) -> np.ndarray:
    """``postings.keys`` of the occurrences in ``documents`` (sorted) only."""
    assert postings.positions is not None and postings.starts is not None
    rows = np.searchsorted(postings.ids, documents)
    inside = rows < len(postings.ids)
    rows, documents = rows[inside], documents[inside]
    rows = rows[postings.ids[rows] == documents]
    first, after = postings.starts[rows], postings.starts[rows + 1]
    counts = after - first
    # Each row's occurrences: its first, counted on from there.
    before = np.zeros(len(rows), dtype=np.int64)
    np.cumsum(counts[:-1], out=before[1:])
    at = np.repeat(first - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    owners = np.repeat(postings.ids[rows].astype(np.int64), counts)
    return (owners << 32) | postings.positions[at].astype(np.int64)


_NO_DOCUMENTS = np.zeros(0, dtype=np.int32)


def _common(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The values in both of two sorted arrays of distinct values. Sorting
    the two runs together with a stable sort merges them (numpy's timsort
    finds the runs), and a value in both ends up twice in a row: half the
    time of a binary search for each."""
    both = np.concatenate((first, second))
    both.sort(kind="stable")
    return both[1:][both[1:] == both[:-1]]


def run(view: View, request: SearchRequest) -> Ranked:
    """The page of hits, total and topic counts for ``request``. Filters
    narrow what is found, not the statistics: those are the reader's whole
    searchable set, as in an index holding only what they may see."""
    parsed = request.parsed
    stale = (request.stale_keys, request.stale_scopes)
    readable, stats = searchable(view, request.access, stale)
    narrowing = narrowed(view, parsed.filters)
    within = readable & narrowing if narrowing is not None else readable
    query = _Query(view, within, readable, stats)
    score: np.ndarray | None = None
    if parsed.required:
        words = query.clause(parsed.required[0])
        for clause in parsed.required[1:]:
            words = words & query.clause(clause)
        matched, score = within & words.mask, words.score
    else:
        matched = within.copy()
    terms = frozenset(query.terms)
    for excluded in parsed.excluded:
        matched &= ~query.term(excluded).mask
    limit = request.page * request.per_page
    found = np.flatnonzero(matched)
    top = (
        _by_date(view, found, limit)
        if request.by_date or score is None
        else _by_score(view, found, score, limit)
    )
    first = (request.page - 1) * request.per_page
    return Ranked(
        total=len(found),
        hits=[view.locate(int(document)) for document in top[first:]],
        topic_counts=_topic_counts(view, matched),
        terms=terms,
    )


def warm(view: View) -> None:
    """Read what every query reads, whatever its words and reader: the
    live documents, field lengths, the number, day and target columns, the
    topics, the kinds of document and the public documents. A new process does this once, before its
    first request, instead of in it."""
    view.live()
    for name in TEXT_FIELDS:
        view.lengths(name)
    view.column("number")
    view.column("day")
    view.column("target")
    view.topics()
    view.mask("audiences", "public")
    view.memo(("doctypes",), lambda: _doctypes(view))


def _by_score(view: View, found: np.ndarray, score: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` best scores, best first; equal scores by ``_stable_keys``."""
    return _first(view, found, -score[found], limit)


def _by_date(view: View, found: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` newest first: by ``_stable_keys``."""
    days = view.column("day")[found].astype(np.int64)
    numbers = view.column("number")[found].astype(np.int64)
    return _first(view, found, -((days << 32) + numbers), limit)


def _first(view: View, found: np.ndarray, rank: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` documents of lowest ``rank``, in order, ties ordered by
    ``_stable_keys``. Every document tied with the ``limit``-th is sorted,
    so the page boundary falls at the same place whatever the documents'
    places in the index; the rest are only partitioned off."""
    if len(found) > limit:
        threshold = np.partition(rank, limit - 1)[limit - 1]
        keep = rank <= threshold
        found, rank = found[keep], rank[keep]
    return found[np.lexsort((*_stable_keys(view, found), rank))[:limit]]


def _stable_keys(view: View, found: np.ndarray) -> tuple[np.ndarray, ...]:
    """For ``np.lexsort`` (least significant first): the newest meeting
    (latest day, then highest number), then the item or meeting id, then
    the kind of document (item, meeting details, write-up). A reader sees
    one document per item, meeting and write-up, so the key is theirs
    alone and does not change when the index is merged or rebuilt; the
    document's place in the index only ever parts duplicates."""
    days = view.column("day")[found].astype(np.int64)
    numbers = view.column("number")[found].astype(np.int64)
    targets = view.column("target")[found].astype(np.int64)
    doctypes = view.memo(("doctypes",), lambda: _doctypes(view))[found]
    return found, doctypes, targets, -numbers, -days


def _doctypes(view: View) -> np.ndarray:
    """0 for an item's document, 1 for a meeting's details, 2 for a write-up."""
    kinds = view.mask("kind", "meeting").astype(np.int8)
    kinds[view.mask("kind", "writeup")] = 2
    return kinds


def _topic_counts(view: View, matched: np.ndarray) -> dict[str, int]:
    names, documents, which = view.topics()
    if not names:
        return {}
    counts = np.bincount(which[matched[documents]], minlength=len(names))
    return {name: count for name, count in zip(names, counts.tolist(), strict=True) if count}
