"""How text becomes index terms: Whoosh's English stemming analyzer, a
faster way to run the same analysis in bulk, and a posting format whose word
positions numpy can read.

Only Whoosh's public API is used here: an analyzer and its parts, and the
``Format`` extension point for postings. ``analyse`` gives exactly the terms
``ANALYZER`` gives (a property test checks it); documents are analysed once
with it and handed to Whoosh as ready-made term lists, which Whoosh indexes
as they are. Highlighting still runs ``ANALYZER`` itself, because it needs
each word's place in the text."""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import StemmingAnalyzer, StopFilter, Token
from whoosh.analysis.tokenizers import default_pattern
from whoosh.formats import Format
from whoosh.lang.porter import stem

ANALYZER = StemmingAnalyzer()
# The analyzer's own parts: its word pattern, stop words and minimum length.
_WORDS = re.compile(default_pattern.pattern.replace("(", "(?:"))
_STOPS = StopFilter().stops
_MIN_LENGTH = 2
_stem = lru_cache(maxsize=100_000)(stem)


def analyse(text: str) -> list[str]:
    """The terms of ``text``, in order, as ``ANALYZER`` makes them: words
    lower-cased (each word found before lowering, as Whoosh does), stop
    words and one-letter words left out, the rest stemmed."""
    terms = []
    for word in _WORDS.findall(text):
        word = word.lower()
        if len(word) >= _MIN_LENGTH and word not in _STOPS:
            terms.append(_stem(word))
    return terms


class HighlightAnalyzer:
    """What Whoosh's highlighter asks of ``ANALYZER`` (every word with its
    place in the text, stop words flagged rather than dropped) made in one
    loop instead of a chain of generator filters: a search highlights ten
    texts of a few hundred words each. A property test checks it against
    ``ANALYZER``."""

    def __call__(
        self, value: str, removestops: bool = True, mode: str = "", **kwargs: Any
    ) -> Iterator[Token]:
        token = Token(positions=False, chars=True, removestops=removestops, mode=mode)
        for match in _WORDS.finditer(value):
            word = match.group().lower()
            stopped = len(word) < _MIN_LENGTH or word in _STOPS
            if stopped and removestops:
                continue
            token.stopped = stopped
            token.text = word if stopped else _stem(word)
            token.boost = 1.0
            token.startchar, token.endchar = match.start(), match.end()
            yield token


HIGHLIGHT_ANALYZER = HighlightAnalyzer()


class ArrayPositions(Format):
    """Word positions kept as a plain array of unsigned 32-bit integers per
    posting (Whoosh's own ``Positions`` pickles a list of deltas), so a
    phrase search reads every position of a word at once with numpy instead
    of unpickling each document's list."""

    def __init__(self, field_boost: float = 1.0, **options: Any) -> None:
        self.field_boost = field_boost
        self.options = options

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        field_boost = self.field_boost
        positions: dict[str, list[int]] = defaultdict(list)
        if isinstance(value, (list, tuple)):
            # Ready-made terms (``analyse``), numbered as Whoosh's ``entoken``
            # numbers them, without making a token for each.
            for position, word in enumerate(value, kwargs.get("start_pos", 0)):
                positions[word].append(position)
        else:
            kwargs["positions"] = True
            for token in analyzer(value, **kwargs):
                if not token.stopped:
                    positions[token.text].append(token.pos)
        for word, found in positions.items():
            yield word, len(found), len(found) * field_boost, self.encode(found)

    def encode(self, positions: Iterable[int]) -> bytes:
        return array("I", positions).tobytes()

    def decode_positions(self, value: bytes) -> list[int]:
        return array("I", value).tolist()

    def decode_frequency(self, value: bytes) -> int:
        return len(value) // 4

    def decode_weight(self, value: bytes) -> float:
        return self.decode_frequency(value) * self.field_boost

    def decode_position_boosts(self, value: bytes) -> list[tuple[int, float]]:
        return [(position, 1.0) for position in self.decode_positions(value)]

    def combine(self, values: Iterable[bytes]) -> bytes:
        merged: set[int] = set()
        for value in values:
            merged.update(self.decode_positions(value))
        return self.encode(sorted(merged))
