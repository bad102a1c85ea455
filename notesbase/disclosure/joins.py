"""How a matcher's terms may be found across the pieces of a text
(``Matcher.joins``): what the leak check asks before it reads each line
of an output once rather than every output whole (``publishing.leakcheck.lines``).

A term is found as whole words of the text, spelled by their letters
(loose: "i" and "l" one letter) with anything or nothing between them, so a
term found in the whole text and in no piece alone spells its letters with
the last words of one piece and the first of the next. And a few sets of
terms are found differently in a longer text that holds more of them: the
matcher looks for many terms at once in one pass, for a few one by one, and
the two ways agree except for a term that overlaps itself, two terms of the
same letters split differently, and two of one length where one's letters
begin the other's."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

# The longest two words either side of a break looked up at once.
_PAIR_MAX = 24


class Joins:
    """Whether finding a matcher's terms in each piece of a text finds what
    finding them in the whole text finds: a term across a break
    (``across``), or a term the whole text may find otherwise (``risky``:
    "Lee Ann Lee" overlaps itself; "Anne Marie" and "Annemarie")."""

    def __init__(
        self, loose: Mapping[str, str], candidates: Callable[[set[str]], list[str]]
    ) -> None:
        self._candidates = candidates
        shapes = {key: spelled.split() for key, spelled in loose.items()}
        letters = {key: "".join(words) for key, words in shapes.items()}
        self._letters = frozenset(letters.values())
        self._prefixes = frozenset(
            text[:end] for text in self._letters for end in range(1, len(text) + 1)
        )
        # Every run of two to ``_PAIR_MAX`` letters of a term: the words
        # either side of a break spell one if a term is found across it.
        self._pairs = frozenset(
            text[start:end]
            for text in self._letters
            for start in range(len(text) - 1)
            for end in range(start + 2, min(start + _PAIR_MAX, len(text)) + 1)
        )
        self._most_words = max((len(words) for words in shapes.values()), default=0)
        self._most_letters = max((len(text) for text in self._letters), default=0)
        self.risky = frozenset(_risky(loose, shapes, letters))

    def may_cross(self, before: str, after: str) -> bool:
        """Whether a term might be found across a break between the words
        ``before`` and ``after`` (``across`` looks closer)."""
        pair = before + after
        return len(pair) > _PAIR_MAX or pair in self._pairs

    def across(self, words: Sequence[str], at: int) -> bool:
        """Whether some run of ``words`` (loose, in order) from before
        ``at`` to ``at`` or after spells a term's letters (run together or
        not): a term found across the break before ``words[at]``."""
        if not 0 < at < len(words):
            return False
        pair = words[at - 1] + words[at]
        if len(pair) <= _PAIR_MAX and pair not in self._pairs:
            return False
        tail = ""
        for first in range(at - 1, max(at - self._most_words, 0) - 1, -1):
            tail = words[first] + tail
            if len(tail) >= self._most_letters:
                break
            if tail not in self._prefixes:
                continue
            joined = tail
            for last in range(at, min(first + self._most_words, len(words))):
                joined += words[last]
                if joined in self._letters:
                    return True
                if joined not in self._prefixes:
                    break
        return False

    def holds_risky(self, words: set[str]) -> bool:
        """Whether a text of these words (loose) may hold a ``risky`` term."""
        return bool(self.risky) and any(key in self.risky for key in self._candidates(words))


def _risky(
    loose: Mapping[str, str], shapes: Mapping[str, list[str]], letters: Mapping[str, str]
) -> set[str]:
    """The terms (keys) found differently in a longer text (see ``Joins``)."""
    risky = set()
    for key, words in shapes.items():
        spelled = letters[key]
        if any(spelled.startswith("".join(words[at:])) for at in range(1, len(words))):
            risky.add(key)  # it may overlap itself
    by_letters: dict[str, set[str]] = {}
    by_length: dict[int, list[tuple[str, str]]] = {}
    for key, spelled in loose.items():
        by_letters.setdefault(letters[key], set()).add(spelled)
        by_length.setdefault(len(spelled), []).append((letters[key], spelled))
    split = {spelled for group in by_letters.values() if len(group) > 1 for spelled in group}
    for group in by_length.values():
        group.sort()
        for (short, one), (long, other) in itertools.pairwise(group):
            if one != other and long.startswith(short):
                split.update((one, other))
    risky.update(key for key, spelled in loose.items() if spelled in split)
    return risky
