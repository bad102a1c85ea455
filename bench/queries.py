"""Varied queries: for each kind of ``corpus.queries()``, many different
queries drawn from the corpus with a seeded random stream.

A query asked once is what a reader meets: the index has not decoded its
posting lists for it yet, and ``disclose`` has not rendered its hits. The
same query asked thirty times measures the caches instead. So no query here
is asked twice in a run, not even as another spelling of the same terms
("community" and "communities" are one stem, so one query), and pages and
filters vary where the kind allows: pages 1 to 3, any topic, a range of
meeting numbers.

- common word: the most frequent words of the vocabulary, in rank order (as
  many as asked for: beyond the first few hundred they are less common);
- rare word: words from ``words.RARE_RANK`` on;
- two words: pairs of frequent words (the first thousand ranks);
- phrase: the topics' phrases, then runs of two or three words taken from
  the corpus's own item bodies (so each is found somewhere);
- topic filter: a word of the first 3,000 ranks, with any topic;
- prefix: the first three to six letters of a word of the first 3,000 ranks."""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from bench import corpus, words
from bench.corpus import Query
from notesbase.search.analysis import analyse
from notesbase.search.query import Filters, parse
from notesbase.text import slugify

# Kinds whose results run to several pages, and kinds given a meeting range.
PAGED = frozenset({"common word", "two words", "topic filter", "prefix"})
RANGED = frozenset({"common word", "two words"})
PAGE_WEIGHTS = (70, 20, 10)
RANGE_SHARE = 0.2
FREQUENT_RANKS = 1_000
TOPIC_RANKS = 3_000
ATTEMPTS = 200  # draws per query wanted before giving up on a kind
_PLAIN = re.compile(r"[a-z]+")


class Exhausted(ValueError):
    """The corpus cannot give that many different queries of one kind."""


def query_key(text: str) -> tuple[str, ...]:
    """What makes two queries the same to the index: their terms (stems, in
    any order, phrase or not), and prefixes as typed."""
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
    return Filters(topics=(query.topic,) if query.topic else (), number_from=low, number_to=high)


def varied(spec: corpus.Spec, count: int, seed: int) -> dict[str, list[Query]]:
    """``count`` different queries of each kind, by kind in the order of
    ``corpus.queries()``; ``Exhausted`` when the corpus has too few."""
    if count < 1:
        raise ValueError("ask for at least one query of each kind")
    maker = _Maker(spec, seed)
    return {query.name: maker.make(query.name, count) for query in corpus.queries()}


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


class _Maker:
    """Draws queries kind by kind, never the same terms twice."""

    def __init__(self, spec: corpus.Spec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"{seed}:varied")  # noqa: S311 - repeatable queries, not security
        self.seen: set[tuple[str, ...]] = set()
        self.words = [w for w in words.vocabulary() if len(analyse(w)) == 1]
        self.last_number = max(1, math.ceil(spec.meetings / spec.series))
        self.topics = [slugify(name) for name, _ in words.TOPICS]
        self.makers: dict[str, Callable[[], Iterator[str]]] = {
            "common word": self.common_words,
            "rare word": self.rare_words,
            "two words": self.two_words,
            "phrase": self.phrases,
            "topic filter": lambda: self.zipf_words(TOPIC_RANKS),
            "prefix": self.prefixes,
        }

    def make(self, name: str, count: int) -> list[Query]:
        if name not in self.makers:
            raise ValueError(f"no varied queries for the kind {name!r}")
        made: list[Query] = []
        for text in itertools.islice(self.makers[name](), count * ATTEMPTS):
            key = query_key(text)
            if not key or key in self.seen:
                continue
            query = self.dressed(Query(name, text))
            if parse(query.text, filters_of(query)).empty:
                continue
            self.seen.add(key)
            made.append(query)
            if len(made) == count:
                return made
        raise Exhausted(f"the corpus gives only {len(made)} different {name} queries")

    def dressed(self, query: Query) -> Query:
        """The page, topic and meeting range of a query of this kind."""
        rng = self.rng
        if query.name in PAGED:
            query = replace(query, page=rng.choices((1, 2, 3), PAGE_WEIGHTS)[0])
        if query.name == "topic filter":
            query = replace(query, topic=rng.choice(self.topics))
        if query.name in RANGED and rng.random() < RANGE_SHARE:
            first = rng.randint(1, self.last_number)
            last = min(self.last_number, first + rng.randint(4, 40))
            query = replace(query, meetings=(first, last))
        return query

    # -- texts of each kind, endless or until the corpus runs out ---------------

    def common_words(self) -> Iterator[str]:
        # Rank order, each stretch of fifty ranks shuffled, so that a short
        # run is not all of the very commonest words.
        for start in range(0, len(self.words), 50):
            stretch = self.words[start : start + 50]
            yield from self.rng.sample(stretch, len(stretch))

    def rare_words(self) -> Iterator[str]:
        tail = self.words[words.RARE_RANK :]
        yield from self.rng.sample(tail, len(tail))

    def zipf_words(self, ranks: int) -> Iterator[str]:
        words = self.words[:ranks]
        weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
        while True:
            yield self.rng.choices(words, cum_weights=weights)[0]

    def two_words(self) -> Iterator[str]:
        first, second = self.zipf_words(FREQUENT_RANKS), self.zipf_words(FREQUENT_RANKS)
        for a, b in zip(first, second, strict=True):
            if analyse(a) != analyse(b):
                yield f"{a} {b}"

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
