"""Varied queries: for each kind in ``KINDS``, many different queries drawn
from the corpus with a seeded random stream.

A query asked once is what a reader meets: the index has not decoded its
posting lists for it yet, and ``disclose`` has not rendered its hits. The
same query asked thirty times measures the caches instead. So no query here
is asked twice in a run, not even as another spelling of the same terms
("community" and "communities" are one stem, so one query; "a OR b" is the
terms of "a b"), and pages and filters vary where the kind allows. The
kinds draw in turn, one query each, so that none takes all the commonest
words before the next one starts.

Words are drawn by the corpus's own frequency (``words.ZIPF_EXPONENT``)
among the first so many ranks:

- common word: a word of the first ``words.RARE_RANK`` ranks;
- rare word: words from ``words.RARE_RANK`` on;
- two words, three words: frequent words (the first thousand ranks), all
  required; or: two of them joined by OR;
- phrase: the topics' phrases, then runs of two or three words taken from
  the corpus's own item bodies (so each is found somewhere);
- topic filter, date filter, sort by date: a word of the first 3,000 ranks,
  with any topic, a range of months between the first and the last
  meeting, or newest first;
- deep page: a word of the first 3,000 ranks, page 5 to 20;
- prefix: the first three to six letters of a word of the first 3,000 ranks.

The first six kinds are those of ``corpus.queries()``; some of the common
words, two words and ORs ask for page 2 or 3, and some carry a range of
meeting numbers."""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date

from bench import corpus, words
from bench.corpus import Query
from notesbase.search.analysis import analyse
from notesbase.search.query import Filters, parse, parse_date
from notesbase.text import slugify

KINDS = [
    *(query.name for query in corpus.queries()),
    "three words",
    "or",
    "date filter",
    "deep page",
    "sort by date",
]
# Kinds whose results run to several pages, and kinds given a meeting range.
PAGED = frozenset({"common word", "two words", "topic filter", "prefix", "or"})
RANGED = frozenset({"common word", "two words"})
PAGE_WEIGHTS = (70, 20, 10)
DEEP_PAGES = (5, 20)
LONGEST_DATES = 12  # months a date filter spans at the most
RANGE_SHARE = 0.2
FREQUENT_RANKS = 1_000
TOPIC_RANKS = 3_000
# Draws in a row that give nothing new before a kind is taken as exhausted
# (late in a long run most draws land on words already asked).
ATTEMPTS = 5_000
_PLAIN = re.compile(r"[a-z]+")


class Exhausted(ValueError):
    """The corpus cannot give that many different queries of one kind."""


def query_key(text: str) -> tuple[str, ...]:
    """What makes two queries the same to the index: their terms (stems, in
    any order, phrase or not, OR or not), and prefixes as typed."""
    terms: list[str] = []
    for token in text.replace('"', " ").split():
        if token.endswith("*"):
            terms.append(token.lower())
        else:
            terms.extend(analyse(token))
    return tuple(sorted(terms))


def filters_of(query: Query) -> Filters:
    """The form's filters that ``query`` stands for."""
    low, high = query.meetings or (None, None)
    first, last = query.dates or (None, None)
    return Filters(
        topics=(query.topic,) if query.topic else (),
        number_from=low,
        number_to=high,
        date_from=parse_date(first) if first else None,
        date_to=parse_date(last, end=True) if last else None,
    )


def varied(spec: corpus.Spec, count: int, seed: int) -> dict[str, list[Query]]:
    """``count`` different queries of each kind, by kind in the order of
    ``KINDS``; ``Exhausted`` when the corpus has too few."""
    if count < 1:
        raise ValueError("ask for at least one query of each kind")
    return _Maker(spec, seed).make(count)


def portions(spec: corpus.Spec, sizes: Sequence[int], seed: int) -> list[list[Query]]:
    """Queries for several uses that share none: ``sizes[i]`` of each kind
    for the i-th use, each use's queries interleaved."""
    wanted = sum(sizes)
    if not wanted:
        return [[] for _ in sizes]
    by_kind = varied(spec, wanted, seed)
    parts, start = [], 0
    for size in sizes:
        part = {name: found[start : start + size] for name, found in by_kind.items()}
        parts.append(interleaved(part, seed))
        start += size
    return parts


def interleaved(by_kind: dict[str, list[Query]], seed: int) -> list[Query]:
    """Every query of every kind in one seeded order, as readers' queries
    come: no kind runs on the caches its previous query left."""
    mixed = [query for queries in by_kind.values() for query in queries]
    random.Random(f"{seed}:order").shuffle(mixed)  # noqa: S311 - repeatable order, not security
    return mixed


def months(spec: corpus.Spec) -> list[str]:
    """The months the corpus's meetings fall in, as the form takes them."""
    last_number = max(1, math.ceil(spec.meetings / spec.series))
    first, last = corpus.meeting_day(1, 1), corpus.meeting_day(last_number, spec.series)
    found, day = [], date(first.year, first.month, 1)
    while day <= last:
        found.append(f"{day.year}-{day.month:02}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


class _Maker:
    """Draws queries kind by kind in turn, never the same terms twice."""

    def __init__(self, spec: corpus.Spec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"{seed}:varied")  # noqa: S311 - repeatable queries, not security
        self.seen: set[tuple[str, ...]] = set()
        self.words = [w for w in words.vocabulary() if len(analyse(w)) == 1]
        self.last_number = max(1, math.ceil(spec.meetings / spec.series))
        self.months = months(spec)
        self.topics = [slugify(name) for name, _ in words.TOPICS]
        self.makers: dict[str, Callable[[], Iterator[str]]] = {
            "common word": lambda: self.zipf_words(words.RARE_RANK),
            "rare word": self.rare_words,
            "two words": lambda: self.joined(2, " "),
            "phrase": self.phrases,
            "topic filter": lambda: self.zipf_words(TOPIC_RANKS),
            "prefix": self.prefixes,
            "three words": lambda: self.joined(3, " "),
            "or": lambda: self.joined(2, " OR "),
            "date filter": lambda: self.zipf_words(TOPIC_RANKS),
            "deep page": lambda: self.zipf_words(TOPIC_RANKS),
            "sort by date": lambda: self.zipf_words(TOPIC_RANKS),
        }

    def make(self, count: int) -> dict[str, list[Query]]:
        streams = {name: self.makers[name]() for name in KINDS}
        made: dict[str, list[Query]] = {name: [] for name in KINDS}
        for _ in range(count):
            for name in KINDS:
                made[name].append(self.next_query(name, streams[name], len(made[name])))
        return made

    def next_query(self, name: str, stream: Iterator[str], so_far: int) -> Query:
        for text in itertools.islice(stream, ATTEMPTS):
            key = query_key(text)
            if not key or key in self.seen:
                continue
            query = self.dressed(Query(name, text))
            if parse(query.text, filters_of(query)).empty:
                continue
            self.seen.add(key)
            return query
        raise Exhausted(f"the corpus gives only {so_far} different {name} queries")

    def dressed(self, query: Query) -> Query:
        """The page, topic, ranges and order of a query of this kind."""
        rng, name = self.rng, query.name
        if name in PAGED:
            query = replace(query, page=rng.choices((1, 2, 3), PAGE_WEIGHTS)[0])
        if name == "deep page":
            query = replace(query, page=rng.randint(*DEEP_PAGES))
        if name == "topic filter":
            query = replace(query, topic=rng.choice(self.topics))
        if name == "date filter":
            first = rng.randrange(len(self.months))
            last = min(len(self.months) - 1, first + rng.randrange(LONGEST_DATES))
            query = replace(query, dates=(self.months[first], self.months[last]))
        if name == "sort by date":
            query = replace(query, by_date=True)
        if name in RANGED and rng.random() < RANGE_SHARE:
            first = rng.randint(1, self.last_number)
            last = min(self.last_number, first + rng.randint(4, 40))
            query = replace(query, meetings=(first, last))
        return query

    # -- texts of each kind, endless or until the corpus runs out ---------------

    def rare_words(self) -> Iterator[str]:
        tail = self.words[words.RARE_RANK :]
        yield from self.rng.sample(tail, len(tail))

    def zipf_words(self, ranks: int) -> Iterator[str]:
        """Words of the first ``ranks``, each as often as the corpus has it."""
        found = self.words[:ranks]
        weights = [1.0 / (rank + 1) ** words.ZIPF_EXPONENT for rank in range(len(found))]
        cumulative = list(itertools.accumulate(weights))
        while True:
            yield self.rng.choices(found, cum_weights=cumulative)[0]

    def joined(self, count: int, between: str) -> Iterator[str]:
        """``count`` frequent words with different stems, joined by ``between``."""
        streams = [self.zipf_words(FREQUENT_RANKS) for _ in range(count)]
        for drawn in zip(*streams, strict=True):
            if len({analyse(word)[0] for word in drawn}) == count:
                yield between.join(drawn)

    def phrases(self) -> Iterator[str]:
        topical = [p for _, phrases in words.TOPICS for p in phrases if " " in p]
        self.rng.shuffle(topical)
        yield from (f'"{p}"' for p in topical)
        people = corpus.people(self.spec)
        for row in corpus.items(self.spec, corpus.meetings(self.spec), people):
            runs = _plain_runs(row["body"].split())
            for run in self.rng.sample(runs, min(3, len(runs))):
                yield f'"{" ".join(run)}"'

    def prefixes(self) -> Iterator[str]:
        for word in self.zipf_words(TOPIC_RANKS):
            if len(word) > 3:
                yield word[: self.rng.randint(3, min(6, len(word) - 1))] + "*"


def _plain_runs(tokens: list[str]) -> list[tuple[str, ...]]:
    """Runs of two or three adjacent words of an item body that a reader
    could type as a phrase: lower-case letters only (no punctuation, no
    names, no markup), no function word."""
    runs = []
    for size in (2, 3):
        for start in range(len(tokens) - size + 1):
            run = tokens[start : start + size]
            if all(_PLAIN.fullmatch(t) and t not in _FUNCTION and analyse(t) for t in run):
                runs.append(tuple(run))
    return runs


_FUNCTION = frozenset(words.FUNCTION)
