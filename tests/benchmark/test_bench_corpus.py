"""The benchmark's synthetic corpus: the same spec gives the same rows, and
what it loads is a working instance that search finds things in."""

from __future__ import annotations

import collections
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from bench import corpus
from bench.search import Sample
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import Consent, Item, Meeting, Member
from notesbase.search import indexer, service

TINY = corpus.Spec(items=60, items_per_meeting=12, series=2, people=40, words_per_item=60)


@pytest.fixture
def app_config() -> dict[str, Any]:
    # As in the benchmark: loading indexes nothing item by item.
    return {"SEARCH_APPLY_ON_COMMIT": False}


def generated(spec: corpus.Spec) -> list[dict[str, Any]]:
    people = corpus.people(spec)
    return list(corpus.items(spec, corpus.meetings(spec), people))


def test_the_same_spec_gives_the_same_corpus() -> None:
    """Generation is seeded: two runs agree row for row; another seed differs."""
    first, second = generated(TINY), generated(TINY)
    assert first == second
    assert len(first) == TINY.items
    other = generated(corpus.Spec(**{**TINY.__dict__, "seed": 2}))
    assert [row["body"] for row in other] != [row["body"] for row in first]
    assert corpus.queries() == corpus.queries()


def test_text_has_common_and_rare_words_and_work_for_disclose() -> None:
    """Zipf-like text: the top word is in nearly every item, most words are
    rare; people are named, spans redacted, some items not open."""
    rows = generated(corpus.Spec(items=400, people=60))
    counts = collections.Counter(word for row in rows for word in set(row["body"].split()))
    assert counts["data"] >= 0.9 * len(rows)
    assert sum(1 for n in counts.values() if n == 1) > len(counts) / 3
    bodies = " ".join(row["body"] for row in rows)
    assert "{.confidential}" in bodies and "{.members}" in bodies
    names = [person.name for person in corpus.people(corpus.Spec(items=400, people=60))]
    assert any(name in bodies for name in names)
    levels = {row["confidentiality"] for row in rows}
    assert levels == set(Confidentiality)
    words = [len(row["body"].split()) for row in rows]
    assert 120 <= sum(words) / len(words) <= 190


def test_the_corpus_loads_and_is_searchable(app: Flask) -> None:
    """Loaded with bulk inserts and indexed by a rebuild, the corpus answers
    the benchmark's queries as its member, without leaking confidential items."""
    loaded = corpus.load_into(app, TINY, create_schema=False)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == TINY.items
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == TINY.meetings
        assert db.session.scalar(sa.select(sa.func.count(Consent.id))) >= 2 * TINY.people
    assert indexer.rebuild(app) > TINY.items
    with app.app_context():
        member = db.session.get(Member, loaded.member_id)
        assert member is not None
        found = service.search(member, "data")
        assert found.total > 0 and found.hits
        assert all("<mark>" in str(hit.snippet) for hit in found.hits)
        secret = db.session.scalars(
            sa.select(Item).where(Item.confidentiality == Confidentiality.CONFIDENTIAL)
        ).first()
        assert secret is not None
        hit_ids = {h.item_id for h in service.search(member, "data", per_page=100).hits}
        assert secret.id not in hit_ids
    for query in corpus.queries():
        assert query.text


def test_percentiles_are_nearest_rank() -> None:
    """p95 of twenty samples is the nineteenth smallest, never interpolated."""
    sample = Sample([float(n) for n in range(20, 0, -1)])
    assert (sample.p50, sample.p95, sample.max) == (10.5, 19.0, 20.0)
