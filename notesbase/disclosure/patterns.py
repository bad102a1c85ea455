"""How a term is looked for in text read loosely (``loose_reading`` of
``notesbase.disclosure.canonical``): its keys and their shape, the regular
expressions that find them, the letter-by-letter check that a match spells
a key, and the words a text is looked up by. ``Matcher``
(``notesbase.disclosure.matching``) is built on these."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from notesbase.disclosure.canonical import (
    EITHER_I_OR_L,
    alternative,
    canonical,
    loose,
    loose_reading,
    term_key,
)
from notesbase.disclosure.words import ARTICLES, HONORIFICS

# Between the words of a term: any run of punctuation or space, or nothing
# (canonical text has no "_": a connector is a space there).
_BETWEEN = r"\W*"
WORDS = re.compile(r"[^\W_]+")
# In ASCII, what is not a letter or a digit: a space for splitting words.
_ASCII_NON_WORD = str.maketrans(
    dict.fromkeys((chr(c) for c in range(128) if not chr(c).isalnum()), " ")
)


def _phrase(key: str) -> str:
    """A term's loose key as a pattern: its words with anything or nothing
    between them."""
    return _BETWEEN.join(re.escape(word) for word in key.split())


@lru_cache(maxsize=1)
def prefixes() -> dict[str, re.Pattern[str]]:
    """Words that go with the term after them, each kind as a pattern that
    finds one at the end of the text before a term: a title with a name
    ("Mr Newcomer"), an article with an organisation ("the Heronsgate
    Council")."""

    def before(words: Iterable[str]) -> re.Pattern[str]:
        keys = {loose(term_key(word)) for word in words} - {""}
        alternatives = "|".join(_phrase(key) for key in sorted(keys, key=lambda k: (-len(k), k)))
        return re.compile(rf"(?<!\w)(?:{alternatives})\W+\Z")

    return {"honorific": before(HONORIFICS), "article": before(ARTICLES)}


@lru_cache(maxsize=2048)
def phrases_regex(keys: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for these loose keys, longest first
    (``term_regex``'s, together). No group tells which matched: a group
    per alternative makes Python's matching many times slower."""
    alternatives = "|".join(_phrase(key) for key in keys)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@lru_cache(maxsize=8192)
def term_regex(key: str) -> re.Pattern[str]:
    """A loose key as a whole word or phrase. It runs on loose text, where
    "i", "l" and a capital I are one letter: a match is then checked letter
    by letter (``spells``)."""
    return re.compile(rf"(?<!\w){_phrase(key)}(?!\w)")


def spells(found: str, key: str) -> bool:
    """Whether canonical text ``found`` (a match on loose text) spells
    ``key``: the same letters, a capital I (``EITHER_I_OR_L``) standing for
    an "i" or an "l", whatever stands between the words."""
    typed = "".join(WORDS.findall(found))
    wanted = key.replace(" ", "")
    if typed == wanted:
        return True
    if len(typed) != len(wanted):
        return False
    return all(
        a == b or (EITHER_I_OR_L in (a, b) and {a, b} <= _I_OR_L)
        for a, b in zip(typed, wanted, strict=True)
    )


_I_OR_L = frozenset(("i", "l", EITHER_I_OR_L))


@lru_cache(maxsize=1 << 16)
def keys_of(term: str) -> tuple[str, ...]:
    """A term's key, and the key of its alternative reading where that
    differs (a name typed with a Greek capital "Β" is found as "B" too).
    Kept: the same people's terms make every matcher of every meeting."""
    key = term_key(term)
    other = " ".join(WORDS.findall(alternative(term)))
    return tuple(k for k in dict.fromkeys((key, other)) if k)


@lru_cache(maxsize=1 << 16)
def shape(key: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """A key's loose form, its loose words, and every run of two or more
    of its adjacent words written together (kept, as ``keys_of``)."""
    spelled = loose(key)
    words = spelled.split()
    joins = frozenset(
        "".join(words[start:end])
        for start in range(len(words))
        for end in range(start + 2, len(words) + 1)
    )
    return spelled, frozenset(words), joins


def reading_words(text: str) -> tuple[list[str], list[str] | None]:
    """The words ``Matcher.matches`` looks terms up by in ``text`` (loose
    form), and those of its alternative reading when it reads that too."""
    lookup = loose_reading(text)
    words = loose_words(lookup)
    if text.isascii() and not any(char in text for char in ascii_signs()):
        return words, None
    reread = loose_reading(text, alternative=True)
    return words, (loose_words(reread) if reread != lookup else None)


def loose_words(lookup: str) -> list[str]:
    """The words of loose text, in order (split without a regular
    expression where it is ASCII: quicker)."""
    if lookup.isascii():
        return lookup.translate(_ASCII_NON_WORD).split()
    return WORDS.findall(lookup)


@lru_cache(maxsize=1)
def ascii_signs() -> str:
    """The ASCII characters read another way as well ("|" is also an "l")."""
    return "".join(c for c in map(chr, range(128)) if canonical(c) != alternative(c))
