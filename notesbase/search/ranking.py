"""Running a parsed query over the index's segments with numpy.

Each segment answers with a mask of the documents that match and a score
for each: the reader's access, the filters, the documents still waiting in
the outbox and the excluded words are masks; words are posting lists laid
over the mask; a phrase is a word followed by the next one at the next
position. Counts and topic counts are taken from the final mask, so they
cover exactly the documents the reader may see and that match, and only
the page's hits are ever looked up one by one.

Scores are BM25F as Whoosh computes it (B 0.75, K1 1.2, idf
log(N / (df + 1)) + 1, the title's boost in its weights), summed over the
query's words and fields."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from notesbase.search.analysis import analyse
from notesbase.search.query import AnyOf, Clause, Filters, ParsedQuery, Prefix, Term, Word
from notesbase.search.segments import Segment, read_postings

TEXT_FIELDS = ("text", "title")
MAX_PREFIX_EXPANSIONS = 64
# Candidates looked at per prefix before giving up: a short prefix cannot
# make a query walk the whole vocabulary.
MAX_PREFIX_CANDIDATES = MAX_PREFIX_EXPANSIONS * 8
B, K1 = 0.75, 1.2


@dataclass(frozen=True)
class Access:
    """Who is searching: the audiences they read each series as; everyone
    reads the public documents."""

    by_series: tuple[tuple[int, str], ...]


@dataclass
class Ranked:
    """A page of hits as (segment, document number), the total, the topic
    counts, and the index terms the query matched (for highlighting)."""

    total: int
    hits: list[tuple[Segment, int]]
    topic_counts: dict[str, int]
    terms: frozenset[str] = field(default_factory=frozenset)


class _Statistics:
    """Numbers BM25 needs across all segments: documents, average field
    lengths and each term's document frequency."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = segments
        self.documents = max(1, sum(s.size for s in segments))
        self._average: dict[str, float] = {}
        self._idf: dict[tuple[str, str], float] = {}

    def average_length(self, name: str) -> float:
        if name not in self._average:
            total = sum(s.reader.field_length(name) for s in self.segments)
            self._average[name] = max(total / self.documents, 1.0)
        return self._average[name]

    def idf(self, name: str, term: str) -> float:
        key = (name, term)
        if key not in self._idf:
            frequency = sum(len(s.postings(name, term).ids) for s in self.segments)
            self._idf[key] = math.log(self.documents / (frequency + 1)) + 1
        return self._idf[key]


@dataclass
class _Match:
    """Per segment: which documents match, and their scores."""

    masks: list[np.ndarray]
    scores: list[np.ndarray]

    def __and__(self, other: _Match) -> _Match:
        return _Match(
            [a & b for a, b in zip(self.masks, other.masks, strict=True)],
            [a + b for a, b in zip(self.scores, other.scores, strict=True)],
        )

    def __or__(self, other: _Match) -> _Match:
        return _Match(
            [a | b for a, b in zip(self.masks, other.masks, strict=True)],
            [a + b for a, b in zip(self.scores, other.scores, strict=True)],
        )


class _Query:
    """One query over one set of segments."""

    def __init__(self, segments: Sequence[Segment], within: list[np.ndarray]) -> None:
        self.segments = segments
        self.within = within
        self.statistics = _Statistics(segments)
        self.terms: set[str] = set()

    def nothing(self) -> _Match:
        return _Match(
            [np.zeros(s.size, dtype=bool) for s in self.segments],
            [np.zeros(s.size, dtype=np.float32) for s in self.segments],
        )

    def _bm25(self, segment: Segment, name: str, term: str, ids: np.ndarray) -> np.ndarray:
        """The BM25F score of ``term`` in field ``name`` for documents
        ``ids`` of ``segment`` (each of which holds the term)."""
        postings = segment.postings(name, term)
        weights = postings.weights[np.searchsorted(postings.ids, ids)]
        lengths = segment.lengths(name)[ids]
        average = self.statistics.average_length(name)
        idf = self.statistics.idf(name, term)
        return idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))

    def word(self, term: str) -> _Match:
        """One index term, in the text or the title."""
        self.terms.add(term)
        match = self.nothing()
        for i, segment in enumerate(self.segments):
            for name in TEXT_FIELDS:
                ids = segment.postings(name, term).ids
                if len(ids):
                    match.masks[i][ids] = True
                    match.scores[i][ids] += self._bm25(segment, name, term, ids)
        return match

    def phrase(self, terms: Sequence[str]) -> _Match:
        """Index terms one after another, in the text or in the title."""
        self.terms.update(terms)
        match = self.nothing()
        for i, segment in enumerate(self.segments):
            for name in TEXT_FIELDS:
                ids = _phrase_documents(segment, name, terms)
                if len(ids):
                    match.masks[i][ids] = True
                    for term in terms:
                        match.scores[i][ids] += self._bm25(segment, name, term, ids)
        return match

    def prefix(self, text: str) -> _Match:
        """Words starting with ``text`` (or with its stem): the most frequent
        ones in the documents the reader may search, at most
        ``MAX_PREFIX_EXPANSIONS``, so words the reader cannot see never
        crowd out the ones they can."""
        prefixes = sorted({text, *analyse(text)})
        counts: dict[str, int] = {}
        for name in TEXT_FIELDS:
            for prefix in prefixes:
                for word in self._expansions(name, prefix):
                    if word not in counts:
                        counts[word] = self._count_within(word)
        found = [word for word in counts if counts[word]]
        ranked = sorted(found, key=lambda word: (-counts[word], word))
        match = self.nothing()
        for word in ranked[:MAX_PREFIX_EXPANSIONS]:
            match = match | self.word(word)
        return match

    def _expansions(self, name: str, prefix: str) -> list[str]:
        words: set[str] = set()
        for segment in self.segments:
            for seen, raw in enumerate(segment.reader.expand_prefix(name, prefix)):
                if seen >= MAX_PREFIX_CANDIDATES:
                    break
                words.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        return sorted(words)[:MAX_PREFIX_CANDIDATES]

    def _count_within(self, word: str) -> int:
        count = 0
        for segment, within in zip(self.segments, self.within, strict=True):
            for name in TEXT_FIELDS:
                count += int(np.count_nonzero(within[segment.postings(name, word).ids]))
        return count

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


def _phrase_documents(segment: Segment, name: str, terms: Sequence[str]) -> np.ndarray:
    """Documents of ``segment`` where ``terms`` follow one another in field
    ``name``. The rarest term's occurrences give the candidate starts (its
    position - its place in the phrase); each other term must be found at
    start + its place. Occurrence keys are sorted, so each test is one
    vectorised binary search over the candidates left."""
    postings = [segment.postings(name, term) for term in terms]
    if any(len(p.ids) == 0 for p in postings):
        return _NO_DOCUMENTS
    rarest = min(range(len(terms)), key=lambda k: len(postings[k].keys))
    starts = postings[rarest].keys - rarest
    for place, following in enumerate(postings):
        if place == rarest:
            continue
        keys = following.keys
        wanted = starts + place
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        starts = starts[keys[at] == wanted]
        if not len(starts):
            return _NO_DOCUMENTS
    documents = (starts >> 32).astype(np.int32)
    # Sorted already: keep the first of each run.
    first = np.ones(len(documents), dtype=bool)
    first[1:] = documents[1:] != documents[:-1]
    return documents[first]


_NO_DOCUMENTS = np.zeros(0, dtype=np.int32)


def allowed(segment: Segment, access: Access, public_only: bool) -> np.ndarray:
    """The documents of ``segment`` this reader may see (kept per segment)."""

    def make() -> np.ndarray:
        mask = segment.mask("audiences", "public").copy()
        if not public_only:
            for series, audience in access.by_series:
                mask |= segment.mask("series", str(series)) & segment.mask("audiences", audience)
        return mask

    return segment.memo(("allowed", access, public_only), make)


def _narrowed(segment: Segment, filters: Filters) -> np.ndarray | None:
    """The documents the filters keep, or None when there are none."""
    masks: list[np.ndarray] = []
    if filters.series:
        masks.append(_any(segment, "series", filters.series))
    masks.extend(segment.mask("topics", topic) for topic in filters.topics)
    if filters.kinds:
        masks.append(_any(segment, "kind", filters.kinds))
    if filters.number_from is not None or filters.number_to is not None:
        masks.append(_between(segment.column("number"), filters.number_from, filters.number_to))
    if filters.date_from is not None or filters.date_to is not None:
        low = filters.date_from.toordinal() if filters.date_from else None
        high = filters.date_to.toordinal() if filters.date_to else None
        masks.append(_between(segment.column("day"), low, high))
    if not masks:
        return None
    result = masks[0].copy()
    for mask in masks[1:]:
        result &= mask
    return result


def _any(segment: Segment, name: str, values: Iterable[str]) -> np.ndarray:
    result = np.zeros(segment.size, dtype=bool)
    for value in values:
        result |= segment.mask(name, value)
    return result


def _between(column: np.ndarray, low: int | None, high: int | None) -> np.ndarray:
    result = np.ones(len(column), dtype=bool)
    if low is not None:
        result &= column >= low
    if high is not None:
        result &= column <= high
    return result


def _without_waiting(segment: Segment, mask: np.ndarray, keys: set[str], scopes: set[str]) -> None:
    """Take out documents named by outbox rows not applied yet (read
    uncached: they change with every write)."""
    for name, values in (("key", keys), ("scope", scopes)):
        for value in values:
            mask[read_postings(segment.reader, name, value).ids] = False


def run(
    segments: Sequence[Segment],
    parsed: ParsedQuery,
    access: Access,
    *,
    page: int,
    per_page: int,
    by_date: bool,
    public_only: bool = False,
    stale: tuple[set[str], set[str]] = (set(), set()),
) -> Ranked:
    """The page of hits, total and topic counts for ``parsed``."""
    within = []
    for segment in segments:
        mask = segment.live() & allowed(segment, access, public_only)
        narrowing = _narrowed(segment, parsed.filters)
        if narrowing is not None:
            mask &= narrowing
        if stale[0] or stale[1]:
            _without_waiting(segment, mask, *stale)
        within.append(mask)
    query = _Query(segments, within)
    matched: list[np.ndarray]
    scores: list[np.ndarray] | None = None
    if parsed.required:
        words = query.clause(parsed.required[0])
        for clause in parsed.required[1:]:
            words = words & query.clause(clause)
        matched = [w & m for w, m in zip(within, words.masks, strict=True)]
        scores = words.scores
    else:
        matched = [w.copy() for w in within]
    terms = frozenset(query.terms)
    for excluded in parsed.excluded:
        for mask, leave_out in zip(matched, query.term(excluded).masks, strict=True):
            mask &= ~leave_out
    total = sum(int(np.count_nonzero(mask)) for mask in matched)
    order = _by_date if by_date or scores is None else _by_score
    top = order(segments, matched, scores, page * per_page)
    return Ranked(
        total=total,
        hits=top[(page - 1) * per_page :],
        topic_counts=_topic_counts(segments, matched),
        terms=terms,
    )


def _by_score(
    segments: Sequence[Segment],
    matched: list[np.ndarray],
    scores: list[np.ndarray] | None,
    limit: int,
) -> list[tuple[Segment, int]]:
    """The ``limit`` best scores, ties in index order."""
    assert scores is not None
    candidates: list[tuple[float, int, int]] = []
    for i, (mask, score) in enumerate(zip(matched, scores, strict=True)):
        ids = np.flatnonzero(mask)
        values = score[ids]
        if len(ids) > limit:
            best = np.argpartition(-values, limit - 1)[:limit]
            ids, values = ids[best], values[best]
        candidates.extend(zip((-values).tolist(), [i] * len(ids), ids.tolist(), strict=True))
    candidates.sort()
    return [(segments[i], docnum) for _, i, docnum in candidates[:limit]]


def _by_date(
    segments: Sequence[Segment],
    matched: list[np.ndarray],
    scores: list[np.ndarray] | None,
    limit: int,
) -> list[tuple[Segment, int]]:
    """The ``limit`` latest meetings first, then by meeting number."""
    candidates: list[tuple[int, int, int, int]] = []
    for i, (segment, mask) in enumerate(zip(segments, matched, strict=True)):
        ids = np.flatnonzero(mask)
        days = segment.column("day")[ids].astype(np.int64)
        numbers = segment.column("number")[ids].astype(np.int64)
        if len(ids) > limit:
            order = np.lexsort((ids, numbers, -days))[:limit]
            ids, days, numbers = ids[order], days[order], numbers[order]
        candidates.extend(
            zip(
                (-days).tolist(),
                numbers.tolist(),
                [i] * len(ids),
                ids.tolist(),
                strict=True,
            )
        )
    candidates.sort()
    return [(segments[i], docnum) for _, _, i, docnum in candidates[:limit]]


def _topic_counts(segments: Sequence[Segment], matched: list[np.ndarray]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for segment, mask in zip(segments, matched, strict=True):
        names, documents, which = segment.topics()
        if not names:
            continue
        found = np.bincount(which[mask[documents]], minlength=len(names))
        for name, count in zip(names, found.tolist(), strict=True):
            if count:
                counts[name] = counts.get(name, 0) + count
    return counts
