"""The search benchmark's varied queries: never asked twice in a run (not
even spelled another way), covering every kind, with pages and filters
varied where the kind allows, and carried by their URLs to the search."""

from __future__ import annotations

import collections
import urllib.parse

import pytest
from werkzeug.datastructures import MultiDict

from bench import corpus, queries, server, words
from notesbase.search.query import AnyOf, Word, parse
from notesbase.search.views import filters_from
from notesbase.text import slugify

SPEC = corpus.Spec(items=2_000, items_per_meeting=40, series=3, people=60)
KINDS = queries.KINDS


@pytest.fixture(scope="module")
def varied() -> dict[str, list[corpus.Query]]:
    return queries.varied(SPEC, 300, seed=1)


def test_three_hundred_of_every_kind_and_no_query_twice(
    varied: dict[str, list[corpus.Query]],
) -> None:
    """Every kind gets 300 queries, those of corpus.queries() first; no two
    in the whole run have the same terms, whatever their kind, filters or
    spelling."""
    assert list(varied) == KINDS
    assert KINDS[:6] == [query.name for query in corpus.queries()] and len(KINDS) == 11
    assert all(
        len(found) == 300 and {q.name for q in found} == {kind} for kind, found in varied.items()
    )
    every = [query for found in varied.values() for query in found]
    keys = [queries.query_key(query.text) for query in every]
    assert len(set(keys)) == len(every) == 11 * 300
    assert len({query.text.lower() for query in every}) == len(every)


def test_each_kind_looks_like_its_name(varied: dict[str, list[corpus.Query]]) -> None:
    """A common word is one word of the first ranks, drawn by frequency (not
    in rank order: more of the commonest than of the least common), a rare
    word one from the tail, a phrase is quoted, a prefix ends in *, a topic
    filter names a topic; and every query parses to something to search for."""
    vocabulary = words.vocabulary()
    rank = {word: position for position, word in enumerate(vocabulary)}
    topics = {slugify(name) for name, _ in words.TOPICS}
    common = [rank[query.text] for query in varied["common word"]]
    assert max(common) < words.RARE_RANK and common != sorted(common)
    assert sum(r < 600 for r in common) > 2 * sum(r >= 2_400 for r in common)
    for query in varied["rare word"]:
        assert rank[query.text] >= words.RARE_RANK
    for query in varied["two words"]:
        first, second = query.text.split()
        assert rank[first] < queries.FREQUENT_RANKS and rank[second] < queries.FREQUENT_RANKS
    assert all(q.text.startswith('"') and q.text.endswith('"') for q in varied["phrase"])
    assert all(len(q.text.strip('"').split()) in (2, 3, 4) for q in varied["phrase"])
    assert all(q.text.endswith("*") and len(q.text) >= 4 for q in varied["prefix"])
    assert {q.topic for q in varied["topic filter"]} <= topics
    assert len({q.topic for q in varied["topic filter"]}) == len(topics)
    for found in varied.values():
        for query in found:
            assert not parse(query.text, queries.filters_of(query)).empty, query


def test_the_new_kinds_look_like_their_names(varied: dict[str, list[corpus.Query]]) -> None:
    """Three words are three required frequent words, an OR two frequent
    words either of which will do, a date filter one word with a range of
    months of the corpus's meetings, a deep page one word on page 5 to 20,
    and only the sort by date asks for the newest first."""
    rank = {word: position for position, word in enumerate(words.vocabulary())}
    months = queries.months(SPEC)
    for query in varied["three words"]:
        required = parse(query.text).required
        assert len(required) == 3 and all(isinstance(clause, Word) for clause in required)
        assert all(rank[word] < queries.FREQUENT_RANKS for word in query.text.split())
    for query in varied["or"]:
        first, joiner, second = query.text.split()
        assert joiner == "OR" and rank[first] < queries.FREQUENT_RANKS > rank[second]
        (clause,) = parse(query.text).required
        assert isinstance(clause, AnyOf) and len(clause.options) == 2
    for query in varied["date filter"]:
        assert query.dates is not None and len(query.text.split()) == 1
        low, high = query.dates
        assert low <= high and low in months and high in months
        assert months.index(high) - months.index(low) < queries.LONGEST_DATES
    assert len({query.dates for query in varied["date filter"]}) > 10
    deep = [query.page for query in varied["deep page"]]
    assert min(deep) >= 5 and max(deep) <= 20 and len(set(deep)) > 10
    assert all(len(query.text.split()) == 1 for query in varied["deep page"])
    sorted_by_date = [kind for kind, found in varied.items() if any(q.by_date for q in found)]
    assert sorted_by_date == ["sort by date"]
    assert all(query.by_date for query in varied["sort by date"])


@pytest.mark.parametrize("kind", KINDS)
def test_each_query_s_address_carries_its_filters_page_and_order(
    varied: dict[str, list[corpus.Query]], kind: str
) -> None:
    """The search page, reading each query's URL, gets the filters, page and
    order the query stands for: a date range reaches the search as dates,
    ``sort=date`` as newest first, a deep page as its page number."""
    for query in varied[kind]:
        address = urllib.parse.urlsplit(server.query_path(query))
        args = MultiDict(urllib.parse.parse_qsl(address.query))
        filters, page, by_date = filters_from(args)
        assert args["q"] == query.text
        assert filters == queries.filters_of(query)
        assert (page, by_date) == (query.page, query.by_date)
        if kind == "date filter":
            assert filters.date_from is not None and filters.date_to is not None
            assert filters.date_from < filters.date_to


def test_phrases_come_from_the_corpus_text(varied: dict[str, list[corpus.Query]]) -> None:
    """Each phrase is a topic's phrase or words that stand together in an item body."""
    people = corpus.people(SPEC)
    rows = corpus.items(SPEC, corpus.meetings(SPEC), people)
    bodies = " ".join(" ".join(row["body"].split()) for row in rows)
    topical = {p for _, phrases in words.TOPICS for p in phrases}
    for query in varied["phrase"]:
        phrase = query.text.strip('"')
        assert phrase in topical or f" {phrase} " in f" {bodies} ", phrase


def test_pages_and_filters_vary_where_the_kind_allows(
    varied: dict[str, list[corpus.Query]],
) -> None:
    """Pages 1 to 3 for the kinds with many hits, 5 to 20 for the deep page,
    page 1 for the others; meeting ranges inside the corpus's meeting
    numbers, for the common word and the two words only."""
    last = SPEC.meetings // SPEC.series + 1
    for kind, found in varied.items():
        pages_asked = collections.Counter(query.page for query in found)
        if kind in queries.PAGED:
            assert set(pages_asked) == {1, 2, 3} and pages_asked[1] > pages_asked[2] > 0
        elif kind == "deep page":
            assert min(pages_asked) >= 5
        else:
            assert set(pages_asked) == {1}
        ranges = [query.meetings for query in found if query.meetings]
        if kind in queries.RANGED:
            assert 30 <= len(ranges) <= 100
            assert all(1 <= low <= high <= last for low, high in ranges)
        else:
            assert ranges == []


def test_the_same_seed_gives_the_same_queries() -> None:
    """Two runs with one seed ask the same queries; another seed asks others."""
    first = queries.varied(SPEC, 20, seed=1)
    assert first == queries.varied(SPEC, 20, seed=1)
    other = queries.varied(SPEC, 20, seed=2)
    assert [q.text for q in other["two words"]] != [q.text for q in first["two words"]]


def test_spellings_of_the_same_terms_are_the_same_query() -> None:
    """Plural and singular, word order, quotes and case do not make a new
    query; a prefix is not the word it starts."""
    key = queries.query_key
    assert key("communities") == key("Community")
    assert key("public trust") == key("trust  public") == key('"Public Trust"')
    assert key("comm*") != key("comm")
    assert key("the of") == ()


def test_portions_share_no_query() -> None:
    """The queries asked over HTTP, in process and by fresh servers are
    drawn together, so none is asked in two places; each portion mixes the
    kinds rather than running them one after another."""
    http, mix, cold = queries.portions(SPEC, (12, 3, 2), seed=1)
    assert (len(http), len(mix), len(cold)) == (132, 33, 22)
    keys = [queries.query_key(q.text) for q in [*http, *mix, *cold]]
    assert len(set(keys)) == len(keys)
    names = [q.name for q in http]
    assert names != sorted(names, key=KINDS.index)
    assert queries.portions(SPEC, (0, 0), seed=1) == [[], []]


def test_asking_for_more_than_the_corpus_has_says_so() -> None:
    """More queries of a kind than the vocabulary holds is an error naming
    the kind and how many it can give, not a loop or a short list."""
    with pytest.raises(queries.Exhausted, match=r"gives only \d+ different [a-z ]+ queries"):
        queries.varied(SPEC, 25_000, seed=1)
    with pytest.raises(ValueError, match="at least one"):
        queries.varied(SPEC, 0, seed=1)
