"""The fair Whoosh reference: an index of Whoosh's stock writer on the same
documents finds, for a member, exactly what notesbase's engine finds (the
total and the counts by topic), with the access filter built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bench import corpus
from bench.corpus import Query
from bench.references import Texts
from bench.stock_whoosh import StockWhoosh
from notesbase.db import db
from notesbase.models import Member
from notesbase.search import indexer, service
from notesbase.search.documents import Builder
from notesbase.search.query import Filters, parse
from notesbase.search.request import SearchRequest
from notesbase.text import slugify

SMALL = corpus.Spec(items=240, items_per_meeting=20, series=3, people=60)
TOPIC = slugify(corpus.TOPICS[1][0])
ASKED = [
    *corpus.queries(),
    Query("three words", "public data community"),
    Query("or", "trust OR consent"),
    Query("topic filter", "data", topic=TOPIC),
    Query("prefix", "part*"),
]


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SEARCH_APPLY_ON_COMMIT": False}


def test_the_stock_index_counts_what_notesbase_counts(app: Flask, tmp_path: Path) -> None:
    """For each query, as a member: the stock index's exact total and topic
    counts equal the engine's; its top ten with an estimate are ten of
    those hits; the member's access set is built once and then reused."""
    loaded = corpus.load_into(app, SMALL, create_schema=False)
    indexer.rebuild(app)
    texts = Texts()
    with app.app_context():
        for _, documents in Builder(db.session).all_documents():
            texts.take(documents)
        access, _ = service.reader_access(db.session.get(Member, loaded.member_id))
    stock = StockWhoosh(tmp_path / "stock")
    assert stock.build(texts.documents) == len(texts.documents) > SMALL.items
    engine = indexer.engine_for(app)
    busy = 0
    try:
        for query in ASKED:
            parsed = parse(query.text, Filters(topics=(query.topic,) if query.topic else ()))
            found = engine.search(SearchRequest(parsed, access, per_page=10))
            total, counts, ten = stock.exact(parsed, access)
            assert (total, counts) == (found.total, found.topic_counts), query
            estimate, best = stock.top_ten(parsed, access)
            assert len(best) == len(ten) == min(10, total) and estimate >= len(best), query
            busy += total > 10
        assert busy >= len(ASKED) - 1  # all but the rare word
        first = stock.allowed(access, ())
        assert stock.allowed(access, ()) is first
        assert len(first) < len(texts.documents)
        assert stock.allowed(access, (TOPIC,)) < first
    finally:
        stock.close()
