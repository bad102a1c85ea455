"""Which words a prefix query asks for (``ranking._Query._expansions``).

The words are the most frequent ones among the documents the query may
find, ties by word. Candidates are counted most frequent in the whole index
first, and counting stops once no later one could be kept; the words chosen
must be exactly those found by counting every candidate, for every reader
and filter, whatever words the reader cannot see hold."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from notesbase.search import indexer, ranking, rebuilding
from notesbase.search.engine import Engine
from notesbase.search.masks import TEXT_FIELDS, narrowed, searchable
from notesbase.search.query import Filters
from notesbase.search.request import Access
from notesbase.search.segments import PrefixWords, Segment, View
from notesbase.search.whoosh_internals.postings import packed_at, term_info
from tests.support import corpus_support

SPEC = corpus_support.Spec(items=300, items_per_meeting=12, series=2, people=30)
READERS = {
    "public": Access(()),
    "member of one series": Access(((1, "member"),)),
    "facilitator": Access(((1, "facilitator"), (2, "facilitator"))),
}
FILTERS = [Filters(), Filters(topics=("data-sharing",))]
# Small enough for this corpus's prefixes to have more candidates than are
# looked at, and more words than are kept.
EXPANSIONS, CANDIDATES = 4, 16


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SEARCH_APPLY_ON_COMMIT": False, "SEARCH_REBUILD_PROCESSES": 1}


@pytest.fixture
def corpus(app: Flask, monkeypatch) -> Flask:
    """The corpus in several segments, so a word's frequency is a sum."""
    monkeypatch.setattr(rebuilding, "SEGMENT_DOCUMENTS", 90)
    monkeypatch.setattr(ranking, "MAX_PREFIX_EXPANSIONS", EXPANSIONS)
    monkeypatch.setattr(ranking, "MAX_PREFIX_CANDIDATES", CANDIDATES)
    corpus_support.load(app, SPEC)
    indexer.rebuild(app)
    return app


def _counting_every_candidate(query: ranking._Query, prefixes: list[str]) -> list[str]:
    """The words chosen by counting every candidate: each field's first
    ``CANDIDATES`` words of each prefix, from each segment's whole word list."""
    candidates: set[str] = set()
    for name in TEXT_FIELDS:
        for prefix in prefixes:
            found: set[str] = set()
            for segment in query.view.segments:
                words = [w for w in segment.source.words(name) if w.startswith(prefix)]
                found.update(words[:CANDIDATES])
            candidates.update(sorted(found)[:CANDIDATES])
    counts = {word: sum(query._findable(n, word) for n in TEXT_FIELDS) for word in candidates}
    ranked = sorted((w for w in counts if counts[w]), key=lambda w: (-counts[w], w))
    return ranked[:EXPANSIONS]


def _query(view: View, access: Access, filters: Filters) -> ranking._Query:
    readable, stats = searchable(view, access, (frozenset(), frozenset()))
    narrowing = narrowed(view, filters)
    within = readable & narrowing if narrowing is not None else readable
    return ranking._Query(view, within, readable, stats)


def _prefixes(view: View) -> list[str]:
    """Every two- and three-letter start of a word in the text."""
    words = {word for s in view.segments for word in s.source.words("text")}
    return sorted({word[:n] for word in words for n in (2, 3) if len(word) > n})


def test_the_words_chosen_are_those_found_by_counting_every_candidate(corpus, monkeypatch):
    view = indexer.engine_for(corpus).view()
    assert len(view.segments) > 1
    prefixes = _prefixes(view)
    assert len(prefixes) > 100
    counted: list[int] = []
    real = ranking._Query._findable

    def counting(self, name, word):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real(self, name, word)

    skipped = compared = 0
    for access in READERS.values():
        for filters in FILTERS:
            for prefix in prefixes:
                expected = _counting_every_candidate(_query(view, access, filters), [prefix])
                monkeypatch.setattr(ranking._Query, "_findable", counting)
                counted.clear()
                query = _query(view, access, filters)
                assert query._expansions([prefix]) == expected, (access, filters, prefix)
                monkeypatch.setattr(ranking._Query, "_findable", real)
                candidates = {
                    w for n in TEXT_FIELDS for w in view.prefix_words(n, prefix, CANDIDATES).holders
                }
                skipped += len(candidates) * len(TEXT_FIELDS) - len(counted)
                compared += bool(expected)
    assert compared > 300
    assert skipped > 200  # counting stopped early, often


def test_a_word_and_its_stem_together(corpus):
    """A prefix and its stem: two lists per field, a word in both counted
    once, and a word past where one list was cut still counted exactly."""
    view = indexer.engine_for(corpus).view()
    access = READERS["facilitator"]
    pairs = [("consult", "consul"), ("data", "dat"), ("shar", "sha"), ("pub", "publ")]
    for pair in pairs:
        prefixes = sorted(pair)
        expected = _counting_every_candidate(_query(view, access, Filters()), prefixes)
        assert expected
        assert _query(view, access, Filters())._expansions(prefixes) == expected, pair


def test_words_in_one_segment_reach_the_index_as_whoosh_counts_them(corpus):
    """Each word's document count, read from the term index without
    decoding its entry, is the one Whoosh's own reader gives, and so is
    where its postings start."""
    root = indexer.engine_for(corpus).root
    internal = Engine(root, internals=True).segments()
    public = Engine(root, internals=False).segments()
    assert len(internal) == len(public) > 1
    offsets = 0
    for name in (*TEXT_FIELDS, "topics"):
        for prefix in ("", "d", "pub", "zz", "é"):
            for ours, theirs in zip(internal, public, strict=True):
                found = list(ours.source.prefix_frequencies(name, prefix))
                expected = list(theirs.source.prefix_frequencies(name, prefix))
                assert [f[:2] for f in found] == [e[:2] for e in expected]
                assert all(word.startswith(prefix) and count > 0 for word, count, _ in found)
                for word, _, at in found:
                    info = term_info(ours.source.reader, name, word)
                    assert at == packed_at(info), (name, word)
                    offsets += at is not None
    assert next(iter(internal[0].source.prefix_frequencies("text", "data")))[1] > 10
    assert offsets > 1000


def test_a_candidate_is_looked_for_only_in_the_segments_that_hold_it(corpus, monkeypatch):
    """The word lists tell which segments hold each word: counting it reads
    those segments' postings and no other's."""
    engine = indexer.engine_for(corpus)
    view = engine.view()
    looked: list[tuple[str, str, str]] = []
    real = Segment.postings

    def recording(self, field, term, at=None):  # type: ignore[no-untyped-def]
        looked.append((self.id, field, term))
        return real(self, field, term, at)

    monkeypatch.setattr(Segment, "postings", recording)
    access = READERS["facilitator"]
    for prefix in ("pub", "dat", "co", "sh", "re", "in"):
        assert _query(view, access, Filters())._expansions([prefix]), prefix
    assert len(looked) > 50
    by_id = {segment.id: segment for segment in view.segments}
    empty = [key for key in looked if not len(by_id[key[0]].source.postings(*key[1:]).ids)]
    assert not empty


class _MadeUp(ranking._Query):
    """A query over made-up word lists: each word's frequency in the index
    (a bound) and the count this query may find, per field."""

    def __init__(self, found: dict[str, dict[str, tuple[int, int]]]) -> None:
        self.found = found
        self._held_by = {}

        class Lists:
            def prefix_words(self, name: str, prefix: str, limit: int) -> PrefixWords:
                words = {
                    w: [(0, f[0], None)] for w, f in found[name].items() if w.startswith(prefix)
                }
                return PrefixWords(prefix, words, None)

        self.view = Lists()  # type: ignore[assignment]

    def _findable(self, name: str, term: str) -> int:
        return self.found[name].get(term, (0, 0))[1]


_COUNTS = st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda c: (max(c), min(c)))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(TEXT_FIELDS),
        st.dictionaries(st.text("ab", min_size=1, max_size=4), _COUNTS),
    ),
    st.integers(1, 5),
)
def test_counting_stops_only_where_no_later_word_could_be_kept(found, expansions):
    """Made-up frequencies and counts (ties everywhere): the words chosen
    are the most found, ties by word, as when every candidate is counted."""
    found = {name: found.get(name, {}) for name in TEXT_FIELDS}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ranking, "MAX_PREFIX_EXPANSIONS", expansions)
        chosen = _MadeUp(found)._expansions(["a"])
    words = {w for name in TEXT_FIELDS for w in found[name] if w.startswith("a")}
    counts = {w: sum(found[name].get(w, (0, 0))[1] for name in TEXT_FIELDS) for w in words}
    expected = sorted((w for w in words if counts[w]), key=lambda w: (-counts[w], w))
    assert chosen == expected[:expansions]
