"""Finding a name, affiliation or descriptor in text however it was typed:
any case, with or without accents, composed or decomposed, with zero-width
characters inside it, with line breaks or several spaces between its words,
and followed by a possessive."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

ZERO_WIDTH = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_ZW = f"[{ZERO_WIDTH}]*"
_MARKS = "[\u0300-\u036f]*"
_SPACE = rf"(?:[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]|[{ZERO_WIDTH}])+"
_ZERO_WIDTH_TABLE = {ord(c): None for c in ZERO_WIDTH}


def fold(text: str) -> str:
    """Text reduced to what a reader sees: no accents, no zero-width
    characters, case-folded, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ZERO_WIDTH_TABLE))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """For each plain letter, every precomposed Latin letter that folds to it."""
    found: dict[str, set[str]] = {}
    ranges = [range(0x00C0, 0x0250), range(0x1E00, 0x1F00)]
    for block in ranges:
        for code in block:
            char = chr(code)
            base = fold(char)
            if len(base) == 1 and base.isalpha():
                found.setdefault(base, set()).add(char)
    return {base: "".join(sorted(chars)) for base, chars in found.items()}


def _char_pattern(char: str) -> str:
    extra = _variants().get(char, "")
    options = {char, char.upper(), *extra}
    return "[" + "".join(re.escape(c) for c in sorted(options)) + "]" + _MARKS


def term_pattern(term: str) -> str | None:
    """A regular expression matching ``term`` as a whole phrase, or None for
    a term with nothing to match."""
    words = fold(term).split()
    if not words:
        return None
    parts = [_ZW.join(_char_pattern(c) for c in word) for word in words]
    return r"(?<![\w])" + _SPACE.join(parts) + r"(?![\w])"


class Matcher:
    """Finds and replaces a set of terms at once; ``replacements`` maps each
    term to what stands in for it. Longer terms win over their own parts."""

    def __init__(self, replacements: Mapping[str, str]) -> None:
        self._by_fold: dict[str, str] = {}
        patterns: list[tuple[int, str]] = []
        for term, replacement in replacements.items():
            key = fold(term)
            pattern = term_pattern(term)
            if pattern is None or key in self._by_fold:
                continue
            self._by_fold[key] = replacement
            patterns.append((len(key), pattern))
        patterns.sort(key=lambda pair: -pair[0])
        self._regex = re.compile("|".join(p for _length, p in patterns)) if patterns else None

    def __bool__(self) -> bool:
        return self._regex is not None

    def search(self, text: str) -> bool:
        return self._regex is not None and self._regex.search(text) is not None

    def sub(self, text: str, preceding: str = "") -> str:
        """``text`` with every term replaced; ``preceding`` is the text that
        came before it, to tell whether a stand-in opens a sentence."""
        if self._regex is None or not text:
            return text

        def replace(match: re.Match[str]) -> str:
            replacement = self._by_fold.get(fold(match.group(0)), "")
            before = (preceding + text[: match.start()]).rstrip(" \t*_\"“‘'(")
            if not before or before[-1] in ".!?:\n":
                return replacement[:1].upper() + replacement[1:]
            return replacement

        return self._regex.sub(replace, text)


def contains_any(text: str, terms: Iterable[str]) -> list[str]:
    """The terms found in ``text`` once both are folded (the final check)."""
    folded = fold(text)
    hits = []
    for term in terms:
        key = fold(term)
        if key and re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", folded):
            hits.append(term)
    return hits
