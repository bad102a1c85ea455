"""The search engine's own parts: the analysis, the numpy query runner
checked against Whoosh's own matchers, segments and merges, and the
rebuild's worker processes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions

from notesbase.db import db
from notesbase.models import Item
from notesbase.notes.items import ItemFields, update_item
from notesbase.search import background, checking, indexer, rebuilding, writing
from notesbase.search.analysis import ANALYZER, HIGHLIGHT_ANALYZER, ArrayPositions, analyse
from notesbase.search.query import (
    AnyOf,
    Clause,
    Filters,
    ParsedQuery,
    Phrase,
    Prefix,
    Term,
    Word,
    parse,
)
from notesbase.search.request import Access, SearchRequest
from notesbase.search.schema import schema
from notesbase.search.storage import LAYOUT
from notesbase.search.whoosh_internals import packing
from notesbase.search.writing import MERGE_FACTOR
from tests.support import corpus_support

SPEC = corpus_support.Spec(items=240, items_per_meeting=12, series=2, people=30)
READERS = {
    "public": Access(()),
    "member of one series": Access(((1, "member"),)),
    "member of both": Access(((1, "member"), (2, "member"))),
    "facilitator": Access(((1, "facilitator"), (2, "facilitator"))),
}
QUERIES = corpus_support.QUERIES
FILTERS = [
    Filters(),
    Filters(topics=("data-sharing",)),
    Filters(kinds=("quote", "point")),
    Filters(number_from=3, number_to=6),
    Filters(date_from=date(2020, 1, 1), date_to=date(2022, 6, 30)),
    Filters(series=("2",)),
]

TEXT_CHARACTERS = st.text(
    alphabet=st.sampled_from(list("aAbBeEsStT zZ019.*-'_,\n\tİıßéÉ\u0301\u200bΩωЖж")),
    max_size=80,
)


@given(TEXT_CHARACTERS)
@settings(max_examples=400, deadline=None)
def test_analyse_gives_exactly_the_stemming_analyzers_terms(text: str) -> None:
    """Documents are analysed in bulk by ``analyse``; highlighting and plain
    Whoosh use ``ANALYZER``: both must make the same terms of any text."""
    assert analyse(text) == [token.text for token in ANALYZER(text)]


@given(TEXT_CHARACTERS, st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_highlighters_analysis_is_the_stemming_analyzers(text: str, removestops: bool) -> None:
    """Highlighting finds words, their places and stop words as
    ``ANALYZER`` does."""

    def seen(analyzer: Any) -> list[tuple[str, int, int, bool]]:
        return [
            (t.text, t.startchar, t.endchar, t.stopped)
            for t in analyzer(text, chars=True, mode="query", removestops=removestops)
        ]

    assert seen(HIGHLIGHT_ANALYZER) == seen(ANALYZER)


@given(TEXT_CHARACTERS)
@settings(max_examples=200, deadline=None)
def test_positions_of_ready_made_terms_are_the_analysers(text: str) -> None:
    """Documents reach the index as ``analyse``'s term lists, and text
    elsewhere; either way the word positions are the ones Whoosh's own
    ``Positions`` format gives the same value (a term list is numbered one
    term after another, so stop words take no place)."""
    ours = ArrayPositions()
    own = Positions()

    def found(values: Any, decode: Any) -> dict[str, tuple[int, list[int]]]:
        return {word: (count, decode(value)) for word, count, _, value in values}

    for value in (analyse(text), text):
        expected = found(own.word_values(value, ANALYZER), own.decode_positions)
        assert found(ours.word_values(value, ANALYZER), ours.decode_positions) == expected


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SEARCH_APPLY_ON_COMMIT": False, "SEARCH_REBUILD_PROCESSES": 1}


@pytest.fixture
def loaded(app: Flask) -> Flask:
    corpus_support.load(app, SPEC)
    indexer.rebuild(app)
    return app


# -- the query runner against Whoosh's own matchers ---------------------------------


def _visible(stored: dict[str, Any], access: Access, filters: Filters) -> bool:
    """The reader's access and the filters, worked out from stored fields."""
    audiences = stored["audiences"].split()
    readable = "public" in audiences or any(
        stored["series"] == str(series) and audience in audiences
        for series, audience in access.by_series
    )
    topics = set(stored["topics"].split())
    checks = [
        readable,
        not filters.series or stored["series"] in filters.series,
        all(topic in topics for topic in filters.topics),
        not filters.kinds or stored["kind"] in filters.kinds,
        filters.number_from is None or stored["number"] >= filters.number_from,
        filters.number_to is None or stored["number"] <= filters.number_to,
        filters.date_from is None or stored["day"] >= filters.date_from.toordinal(),
        filters.date_to is None or stored["day"] <= filters.date_to.toordinal(),
    ]
    return all(checks)


def _whoosh_query(parsed: ParsedQuery) -> wq.Query:
    """The words of ``parsed`` as Whoosh's own query objects (every prefix
    expansion, as ``wq.Prefix`` does), in the title and the text."""
    required = [_whoosh_clause(clause) for clause in parsed.required]
    query: wq.Query = wq.And(required) if len(required) > 1 else required[0]
    if parsed.excluded:
        query = wq.AndNot(query, wq.Or([_whoosh_term(term) for term in parsed.excluded]))
    return query


def _whoosh_clause(clause: Clause) -> wq.Query:
    if isinstance(clause, AnyOf):
        return wq.Or([_whoosh_term(option) for option in clause.options])
    return _whoosh_term(clause)


def _whoosh_term(term: Term) -> wq.Query:
    if isinstance(term, Prefix):
        return wq.Or([wq.Prefix(name, term.text) for name in ("text", "title")])
    words = analyse(term.text if isinstance(term, Word) else " ".join(term.words))
    if len(words) == 1:
        return wq.Or([wq.Term(name, words[0]) for name in ("text", "title")])
    return wq.Or([wq.Phrase(name, words) for name in ("text", "title")])


def _expected(app: Flask, parsed: ParsedQuery, access: Access) -> tuple[set[str], dict[str, int]]:
    """The documents (by id) and topic counts Whoosh's own matchers give."""
    engine = indexer.engine_for(app)
    with engine.open_index(engine.current_path()).searcher() as searcher:
        found = {
            stored["doc_id"]: stored
            for docnum in searcher.docs_for_query(_whoosh_query(parsed))
            if _visible(stored := searcher.stored_fields(docnum), access, parsed.filters)
        }
    counts: dict[str, int] = {}
    for stored in found.values():
        for topic in stored["topics"].split():
            counts[topic] = counts.get(topic, 0) + 1
    return set(found), counts


@pytest.mark.parametrize("reader", list(READERS))
def test_totals_pages_and_topic_counts_agree_with_whoosh(loaded, reader):
    """For every query, filter and reader, the total, the topic counts and
    every hit on every page are what Whoosh's own (slow) matchers find."""
    _agree_with_whoosh(loaded, reader)


@pytest.mark.parametrize("reader", list(READERS))
def test_several_packed_segments_agree_with_whoosh(app, monkeypatch, reader):
    """The same from several segments, each with a postings pack: a phrase
    is looked for in each segment's packed positions, a word's postings are
    put together across segments."""
    monkeypatch.setattr(rebuilding, "SEGMENT_DOCUMENTS", 90)
    monkeypatch.setattr(packing, "PACK_MIN_DOCUMENTS", 1)
    corpus_support.load(app, SPEC)
    indexer.rebuild(app)
    segments = indexer.engine_for(app).segments()
    assert len(segments) > 2 and all(s.source.pack is not None for s in segments)
    _agree_with_whoosh(app, reader)


def _agree_with_whoosh(app: Flask, reader: str) -> None:
    access = READERS[reader]
    engine = indexer.engine_for(app)
    checked = 0
    for text in QUERIES:
        for filters in FILTERS:
            parsed = parse(text, filters)
            expected, counts = _expected(app, parsed, access)
            results = engine.search(SearchRequest(parsed, access, page=1, per_page=1000))
            assert results.total == len(expected), (text, filters)
            assert results.topic_counts == counts, (text, filters)
            assert {doc.doc_id for doc in results.docs} == expected, (text, filters)
            checked += len(expected)
    assert checked > (100 if reader == "public" else 1000)  # the queries have real work


def test_hits_come_best_first_or_newest_first(loaded):
    """Relevance puts a document with the word in its title and text above
    one with it once; by date, the newest meeting comes first (latest day,
    then highest number), then the lowest item id."""
    engine = indexer.engine_for(loaded)
    access = READERS["member of both"]
    parsed = parse("data")
    by_date = engine.search(SearchRequest(parsed, access, page=1, per_page=50, by_date=True)).docs
    keys = [(-doc.day, -doc.number, doc.target) for doc in by_date]
    assert keys == sorted(keys)
    first = engine.search(SearchRequest(parsed, access, page=1, per_page=10))
    second = engine.search(SearchRequest(parsed, access, page=2, per_page=10))
    assert not {d.doc_id for d in first.docs} & {d.doc_id for d in second.docs}
    assert len(second.docs) == 10


def test_a_filter_alone_lists_documents_newest_first(loaded):
    """A topic filter without words finds every document on the topic."""
    engine = indexer.engine_for(loaded)
    parsed = ParsedQuery(filters=Filters(topics=("data-sharing",)))
    results = engine.search(SearchRequest(parsed, READERS["facilitator"], page=1, per_page=2000))
    expected = [doc for doc in results.docs if "data-sharing" in doc.topics]
    assert results.total == len(expected) == len(results.docs) > 0


def test_phrase_words_must_be_adjacent_and_in_order(loaded):
    """ "a b" is not "b a", nor a and b apart."""
    engine = indexer.engine_for(loaded)
    access = READERS["facilitator"]
    forwards = parse('"data sharing"')
    backwards = parse('"sharing data"')
    both = ParsedQuery((Word("data"), Word("sharing")))
    found = {
        name: {
            d.doc_id for d in engine.search(SearchRequest(q, access, page=1, per_page=5000)).docs
        }
        for name, q in (("forwards", forwards), ("backwards", backwards), ("both", both))
    }
    assert found["forwards"] and found["forwards"] < found["both"]
    assert found["forwards"] != found["backwards"]
    assert Phrase(("data", "sharing")) in forwards.required


def test_highlights_mark_the_query_words_in_the_text_given(loaded):
    """Snippets are made from the text the caller passes, marking stems."""
    engine = indexer.engine_for(loaded)
    results = engine.search(
        SearchRequest(parse("sharing"), READERS["facilitator"], page=1, per_page=1)
    )
    marked = re.sub(r"<mark[^>]*>", "<mark>", results.highlight(0, "We are sharing; shared data."))
    assert "<mark>sharing</mark>" in marked
    assert "<mark>shared</mark>" in marked  # the same stem
    assert "<mark>data</mark>" not in marked
    assert results.highlight(0, "Nothing of the kind here.") == ""


# -- segments, merges, layout ---------------------------------------------------------


def _save(app: Flask, item_id: int, body: str) -> None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        update_item(
            item,
            ItemFields(
                kind=item.kind,
                body=body,
                section=item.section,
                speaker_id=item.speaker_id,
                confidentiality=item.confidentiality,
            ),
            actor=None,
        )
        db.session.commit()


def test_saves_merge_small_segments_a_band_at_a_time(loaded, monkeypatch):
    """Many one-item saves leave at most ``MERGE_FACTOR`` segments in any
    size band, merge only segments of about the same size, never touch the
    rebuild's big segment, and lose nothing."""
    monkeypatch.setattr(writing, "LARGE_SEGMENT", 100)
    engine = indexer.engine_for(loaded)
    (big,) = [s.id for s in engine.segments()]
    with loaded.app_context():
        ids = db.session.scalars(sa.select(Item.id).order_by(Item.id).limit(70)).all()
    for number, item_id in enumerate(ids):
        _save(loaded, item_id, f"zebrafish{number} data sharing")
        indexer.apply(loaded)
    segments = engine.segments()
    bands: dict[int, int] = {}
    for segment in segments:
        if segment.id != big:
            bands[writing._band(segment.size)] = bands.get(writing._band(segment.size), 0) + 1
    assert bands and max(bands.values()) <= MERGE_FACTOR, bands
    assert len(bands) > 1, bands  # merged segments moved up a band
    assert big in {s.id for s in segments}
    assert checking.check(loaded).ok
    for number in range(len(ids)):
        parsed = parse(f"zebrafish{number}")
        found = engine.search(SearchRequest(parsed, READERS["facilitator"], page=1, per_page=5))
        assert found.total >= 1, number


def test_after_saves_small_segments_are_merged_in_a_pause(loaded):
    """Saves applied after their commit (the embedded default) never merge
    themselves; the merge comes in the background once saves pause."""
    loaded.config["SEARCH_MERGE_DELAY"] = 1.0
    engine = indexer.engine_for(loaded)
    with loaded.app_context():
        ids = db.session.scalars(sa.select(Item.id).order_by(Item.id).limit(12)).all()
    for number, item_id in enumerate(ids):
        _save(loaded, item_id, f"pausefish{number}")
        indexer.apply(loaded, merge=False)
        background.merge_soon(loaded)
    busy = len(engine.segments())
    assert busy > MERGE_FACTOR  # nothing merged while saves kept coming
    assert background.wait_for_merges(timeout=15)
    assert len(engine.segments()) < busy
    assert checking.check(loaded).ok


def test_a_merge_takes_one_band_of_like_sizes():
    """The merge policy picks the smallest full band, never mixing a grown
    segment back in with the small ones, and never a large one."""

    class Entry:
        def __init__(self, size: int) -> None:
            self.size = size

        def doc_count_all(self) -> int:
            return self.size

    small = [Entry(2) for _ in range(MERGE_FACTOR)]
    grown = [Entry(40), Entry(300)]
    large = [Entry(writing.LARGE_SEGMENT) for _ in range(MERGE_FACTOR)]
    assert writing._full_tiers([*small, *grown, *large]) == small
    assert writing._full_tiers([*small[:-1], *grown, *large]) == []
    middle = [Entry(40) for _ in range(MERGE_FACTOR)]
    assert writing._full_tiers([*small[:3], *middle]) == middle


def test_an_index_of_another_layout_is_rebuilt(loaded):
    """A generation written by another version (its layout file says so)
    is not read: the next use rebuilds it."""
    engine = indexer.engine_for(loaded)
    old = engine.current_path()
    (old / LAYOUT).write_text('{"version": 1}', encoding="utf-8")
    engine.storage._opened.clear()
    assert indexer.ensure(loaded)
    assert engine.current_path() != old
    assert checking.check(loaded).ok


# -- the rebuild's worker processes ---------------------------------------------------


def test_a_rebuild_in_several_segments_equals_one_in_one(loaded, monkeypatch):
    """Written a few documents per segment, the rebuild holds exactly the
    documents of one written in a single segment, and finds the same."""
    engine = indexer.engine_for(loaded)
    alone = {doc.doc_id: doc for doc in engine.stored_documents()}
    parsed = parse('"data sharing" OR trust')
    before = engine.search(SearchRequest(parsed, READERS["facilitator"], page=1, per_page=2000))
    monkeypatch.setattr(rebuilding, "SEGMENT_DOCUMENTS", 90)
    count = indexer.rebuild(loaded)
    assert count == len(alone)
    assert {doc.doc_id: doc for doc in engine.stored_documents()} == alone
    assert len(engine.segments()) >= len(alone) // 90
    after = engine.search(SearchRequest(parsed, READERS["facilitator"], page=1, per_page=2000))
    assert (after.total, after.topic_counts) == (before.total, before.topic_counts)
    assert {d.doc_id for d in after.docs} == {d.doc_id for d in before.docs}


def test_a_rebuild_in_worker_processes_equals_one_in_process(loaded, monkeypatch):
    """Shared among two worker processes, the rebuild writes exactly the
    documents one process writes, and reports its progress to the end."""
    engine = indexer.engine_for(loaded)
    alone = {doc.doc_id: doc for doc in engine.stored_documents()}
    monkeypatch.setattr(rebuilding, "ITEMS_PER_WORKER", 50)
    loaded.config["SEARCH_REBUILD_PROCESSES"] = 2
    seen: list[tuple[int, int]] = []
    count = indexer.rebuild(loaded, progress=lambda done, total: seen.append((done, total)))
    together = {doc.doc_id: doc for doc in engine.stored_documents()}
    assert count == len(together) == len(alone)
    assert together == alone
    assert len(engine.segments()) == 2
    assert seen[-1][0] == seen[-1][1] > 0
    assert checking.check(loaded).ok


def test_a_failing_worker_fails_the_rebuild_and_keeps_the_index(loaded, monkeypatch):
    """A worker that cannot start (a database it cannot open) stops the
    rebuild with the reason; the index in use stays."""
    engine = indexer.engine_for(loaded)
    before = engine.current_path()
    monkeypatch.setattr(rebuilding, "ITEMS_PER_WORKER", 50)
    monkeypatch.setattr(
        rebuilding,
        "_portable_config",
        lambda app: {"DATABASE_URL": "sqlite:////nonexistent/folder/db.sqlite3"},
    )
    loaded.config["SEARCH_REBUILD_PROCESSES"] = 2
    with pytest.raises(rebuilding.RebuildFailed, match="worker failed"):
        indexer.rebuild(loaded)
    assert engine.current_path() == before
    assert [p.name for p in engine.root.glob("gen-*")] == [before.name]


def test_the_schema_stores_no_text():
    """What the index keeps per document: ids, versions and public meeting
    fields; title and text are indexed only."""
    stored = {name for name, field in schema().items() if field.stored}
    assert not {"title", "text"} & stored
    assert stored == {
        "doc_id",
        "key",
        "doctype",
        "target",
        "audiences",
        "series",
        "meeting",
        "number",
        "day",
        "topics",
        "kind",
        "version",
        "fingerprint",
    }


def test_a_warmed_view_leaves_a_search_only_its_words_to_read(loaded):
    """A server worker warms the index before its first request: afterwards
    a search reads only its own words' postings (and the reader's masks),
    not the live documents, lengths, columns or topics."""
    engine = indexer.engine_for(loaded)
    engine.close()
    engine.cache.forget(lambda key: False)
    assert indexer.warm(loaded)
    warmed = set(engine.cache._items)
    kinds = {key[1] for key in warmed}
    assert {"live", "lengths", "column", "topics"} <= kinds
    results = engine.search(
        SearchRequest(parse("public trust"), READERS["member of both"], page=1, per_page=10)
    )
    assert results.total > 0
    added = {key[1] for key in set(engine.cache._items) - warmed}
    assert added and added <= {"postings", "mask", "memo"}


def test_warming_without_an_index_does_nothing(app):
    """No index yet (or an unreadable one): warming says so and leaves the
    rebuild to the first request."""
    engine = indexer.engine_for(app)
    assert engine.current_path() is None
    assert indexer.warm(app) is False
    assert engine.current_path() is None


def test_posting_blocks_are_written_at_the_fastest_compression(loaded):
    """The writer's codec compresses at zlib's level 1, and the blocks it
    wrote say so (readers take each block's level from the block)."""
    engine = indexer.engine_for(loaded)
    reader = engine.segments()[0].source.reader
    terms = reader._terms
    info = terms.term_info("text", b"data")
    assert not info.is_inlined()
    offset, length = info.extent()
    matcher = W3LeafMatcher(terms._postfile, offset, length, reader.schema["text"].format)
    assert matcher._compression == 1
