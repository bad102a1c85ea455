"""The reader's query language (``notesbase.search.query``), parsed by hand:
words, phrases, OR, exclusions, bounded prefixes, and field queries only
for topic, kind, meeting and date; any other ``name:`` is plain words; a
length and clause limit, with a message for the reader, at bounded cost."""

from __future__ import annotations

import contextlib
import time
from datetime import date

import pytest

from notesbase.search.query import (
    MAX_CLAUSES,
    MAX_QUERY_LENGTH,
    MIN_PREFIX,
    AnyOf,
    Filters,
    ParsedQuery,
    Phrase,
    Prefix,
    QueryError,
    Word,
    parse,
    parse_date,
    parse_date_range,
)


def words_in(parsed: ParsedQuery) -> list[str]:
    """Every word the query asks for, in order, whatever clause holds it."""
    found: list[str] = []
    for clause in parsed.required:
        for term in clause.options if isinstance(clause, AnyOf) else (clause,):
            if isinstance(term, Phrase):
                found.extend(term.words)
            else:
                found.append(term.text)
    return found


def test_words_are_all_required_and_lowercased():
    parsed = parse("Open DATA  consent")
    assert parsed.required == (Word("open"), Word("data"), Word("consent"))
    assert parsed.excluded == () and parsed.filters == Filters()
    assert not parsed.empty


def test_whitespace_of_any_kind_separates_words():
    assert parse(" open\tdata\nconsent\r\n ").required == (
        Word("open"),
        Word("data"),
        Word("consent"),
    )


def test_a_phrase_keeps_its_words_in_order():
    parsed = parse('"Open  Data" consent')
    assert parsed.required == (Phrase(("open", "data")), Word("consent"))


def test_a_one_word_phrase_is_a_word_and_an_empty_one_nothing():
    assert parse('"consent"').required == (Word("consent"),)
    assert parse('"" consent').required == (Word("consent"),)
    assert parse('"!!" consent').required == (Word("consent"),)


def test_an_unclosed_phrase_runs_to_the_end():
    assert parse('consent "open data').required == (Word("consent"), Phrase(("open", "data")))


def test_punctuation_inside_a_word_keeps_its_parts_together():
    assert parse("e-mail").required == (Phrase(("e", "mail")),)
    assert parse("data.gov").required == (Phrase(("data", "gov")),)


def test_words_of_any_script():
    assert parse("Café naïve Ελλάδα").required == (
        Word("café"),
        Word("naïve"),
        Word("ελλάδα"),
    )


def test_or_joins_its_neighbours():
    parsed = parse("housing OR health consent")
    assert parsed.required == (AnyOf((Word("housing"), Word("health"))), Word("consent"))


def test_or_chains_and_takes_phrases_and_prefixes():
    parsed = parse('housing OR "open data" OR consult*')
    assert parsed.required == (
        AnyOf((Word("housing"), Phrase(("open", "data")), Prefix("consult"))),
    )


def test_or_must_be_upper_case_to_mean_or():
    assert parse("housing or health").required == (
        Word("housing"),
        Word("or"),
        Word("health"),
    )


@pytest.mark.parametrize("query", ["OR housing", "housing OR", "OR OR housing OR"])
def test_or_with_nothing_on_one_side_is_ignored(query):
    assert parse(query).required == (Word("housing"),)


def test_or_does_not_reach_across_an_exclusion():
    parsed = parse("housing OR -health consent")
    assert parsed.excluded == (Word("health"),)
    assert words_in(parsed) == ["housing", "consent"]


def test_exclusions():
    parsed = parse('housing -health -"open data"')
    assert parsed.required == (Word("housing"),)
    assert parsed.excluded == (Word("health"), Phrase(("open", "data")))


@pytest.mark.parametrize("query", ["-foo", "-foo -bar", '-"open data"', "-consult*"])
def test_only_exclusions_is_refused_with_a_message(query):
    with pytest.raises(QueryError, match="not only words to leave out"):
        parse(query)


def test_exclusions_with_a_filter_alone_are_allowed():
    parsed = parse("-foo topic:health")
    assert parsed.excluded == (Word("foo"),)
    assert parsed.filters.topics == ("health",)
    assert not parsed.empty


def test_a_lone_dash_is_nothing():
    assert parse("housing - health").required == (Word("housing"), Word("health"))


def test_prefix():
    assert parse("Consult*").required == (Prefix("consult"),)
    assert parse("consult**").required == (Prefix("consult"),)
    assert parse("e-mai*").required == (Prefix("emai"),)


def test_prefix_needs_enough_letters():
    assert parse("a" * MIN_PREFIX + "*").required == (Prefix("a" * MIN_PREFIX),)
    for short in ("*", "**", "a*", "a" * (MIN_PREFIX - 1) + "*", "-*", "..*"):
        with pytest.raises(QueryError, match=f"at least {MIN_PREFIX} letters"):
            parse(f"housing {short}")


def test_a_star_inside_a_phrase_is_not_a_prefix():
    assert parse('"consult* now"').required == (Phrase(("consult", "now")),)


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("topic:Open-Data", Filters(topics=("open-data",))),
        ("TOPIC:health", Filters(topics=("health",))),
        ("topic:a topic:b", Filters(topics=("a", "b"))),
        ("kind:Decision", Filters(kinds=("decision",))),
        ("meeting:10", Filters(number_from=10, number_to=10)),
        ("meeting:8-12", Filters(number_from=8, number_to=12)),
        ("meeting:8-", Filters(number_from=8)),
        ("meeting:-12", Filters(number_to=12)),
        ("date:2025", Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))),
        ("date:2024-02", Filters(date_from=date(2024, 2, 1), date_to=date(2024, 2, 29))),
        ("date:2025-12", Filters(date_from=date(2025, 12, 1), date_to=date(2025, 12, 31))),
        ("date:2025-03-14", Filters(date_from=date(2025, 3, 14), date_to=date(2025, 3, 14))),
        ("date:2025..2025-06", Filters(date_from=date(2025, 1, 1), date_to=date(2025, 6, 30))),
        ("date:2025-03..", Filters(date_from=date(2025, 3, 1))),
        ("date:..2025-03", Filters(date_to=date(2025, 3, 31))),
    ],
)
def test_field_queries_narrow_like_the_filters(query, filters):
    parsed = parse(query)
    assert parsed.filters == filters
    assert parsed.required == ()
    assert not parsed.empty


def test_field_queries_add_to_the_forms_filters():
    parsed = parse("consent topic:b", Filters(series=("cop",), topics=("a",)))
    assert parsed.filters == Filters(series=("cop",), topics=("a", "b"))
    assert parsed.required == (Word("consent"),)


@pytest.mark.parametrize(
    "query",
    [
        "audiences:facilitator",
        "series:2",
        "text:secret",
        "title:secret",
        "doc_id:item",
        "key:item",
        "fingerprint:abc",
        "version:3",
        "speaker:oswin",
        "author:oswin",
        "number:3",
        "day:738000",
    ],
)
def test_any_other_field_name_is_plain_words(query):
    """Only topic, kind, meeting and date are fields; any other ``name:``
    narrows nothing and is searched as the words it is made of."""
    parsed = parse(query)
    assert parsed.filters == Filters()
    name, _, value = query.partition(":")
    assert words_in(parsed) == [name, value]


def test_an_excluded_field_is_not_a_filter():
    parsed = parse("consent -topic:health")
    assert parsed.filters == Filters()
    assert parsed.required == (Word("consent"),)


@pytest.mark.parametrize(
    "query",
    [
        "topic:",
        "kind:",
        "meeting:",
        "date:",
        "meeting:x",
        "meeting:0",
        "meeting:1-2-3",
        "meeting:99999999999",
        "date:2025-13",
        "date:2025-02-30",
        "date:abc",
        "date:0",
        "date:99999",
        "date:2025-01-01-01",
        "date:-5",
    ],
)
def test_bad_field_values_get_a_message(query):
    with pytest.raises(QueryError) as raised:
        parse(f"consent {query}")
    assert str(raised.value)


def test_length_limit():
    assert parse("a" * MAX_QUERY_LENGTH).required == (Word("a" * MAX_QUERY_LENGTH),)
    with pytest.raises(QueryError, match="too long"):
        parse("a" * (MAX_QUERY_LENGTH + 1))


def test_the_length_counts_after_spaces_are_squeezed():
    padded = "consent" + " " * 5_000 + "housing"
    assert parse(padded).required == (Word("consent"), Word("housing"))


def test_clause_limit_counts_words_and_exclusions():
    words = [f"w{i}" for i in range(MAX_CLAUSES)]
    assert len(parse(" ".join(words)).required) == MAX_CLAUSES
    with pytest.raises(QueryError, match="too many parts"):
        parse(" ".join([*words, "extra"]))
    with pytest.raises(QueryError, match="too many parts"):
        parse(" ".join([*words, "-extra"]))


def test_or_options_count_towards_the_clause_limit():
    """Each OR option is a term the engine must run (prefixes expand):
    the limit on parts holds for them too."""
    with pytest.raises(QueryError, match="too many parts"):
        parse(" OR ".join(f"w{i}" for i in range(MAX_CLAUSES + 1)))


@pytest.mark.parametrize(
    "query", ["", "   ", "(((", '"""', '""', "OR OR OR", "\x00\x01\x1b", "!!! ???", "-", "--"]
)
def test_nothing_to_search_for_is_empty(query):
    assert parse(query).empty


@pytest.mark.parametrize(
    "query",
    [
        '"' * 300,
        "-" * 300,
        "*" * 300,
        ":" * 300,
        "a:" * 150,
        "topic:a " * 37,
        '"a ' * 100,
        "OR " * 100,
        "\x00" * 300,
        "x" * 100_000,
    ],
)
def test_parsing_cost_is_bounded(query):
    """Pathological input is parsed or refused at once."""
    started = time.perf_counter()
    with contextlib.suppress(QueryError):
        parse(query)
    assert time.perf_counter() - started < 0.1


def test_parse_date_ends():
    assert parse_date("2025") == date(2025, 1, 1)
    assert parse_date("2025", end=True) == date(2025, 12, 31)
    assert parse_date("2025-02", end=True) == date(2025, 2, 28)
    assert parse_date(" 2025-02-03 ") == date(2025, 2, 3)
    assert parse_date_range("2025-01..2025-01") == (date(2025, 1, 1), date(2025, 1, 31))
    with pytest.raises(QueryError, match="2025-03-14"):
        parse_date("14/03/2025")
