"""Hostile spellings of the things a person may withhold, and a reference
reading to look for them in what an audience receives (no tests here).

The spellings are built from ICU's confusables data (UTS #39) and Unicode's
properties, independently of the product's canonical form: look-alike
letters of any script, small capitals, full-width and mathematical letters,
accents, invisible characters inside and between words, fillers, words run
together or split by punctuation, a right-to-left override that shows the
name reversed the right way round, titles and articles before it, a
possessive after it.

``survivors`` reads an output the way a person would (what each letter looks
like, nothing invisible, any case) and says which withheld terms can still be
read in it."""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import icu
from hypothesis import strategies as st

_SPOOF = icu.SpoofChecker()
_IGNORABLE = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
# "LATIN LETTER SMALL CAPITAL A": read as the letter (not the inverted,
# turned or barred ones, which look like something else).
_SMALL_CAPITAL = re.compile(r"(?:LATIN |MODIFIER )?LETTER SMALL CAPITAL ([A-Z])$")

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner
    "\ufe0f",  # variation selector 16
    "\u3164",  # Hangul filler
    "\uffa0",  # half-width Hangul filler
    "\u115f",  # Hangul choseong filler
    "\u180e",  # Mongolian vowel separator
    "\ufeff",  # zero width no-break space
    "\U000e0061",  # tag small a
]
# What may stand between the words of a name: a reader still reads one name.
SEPARATORS = [
    " ", "  ", "\n", "\u00a0", "\u2009", "\u3000", "-", "\u2010", "\u2013", ".", "_", "/",
    "", "\u200b", "\u3164", " \u200d ",
]  # fmt: skip
HONORIFICS = ["Mr ", "Mrs ", "Dr. ", "Dr ", "Cllr ", "Prof. ", "MR ", "Mx "]
ARTICLES = ["the ", "The ", "a ", "A "]
SUFFIXES = ["", "'s", "’s", ",", ".", ":", ")"]
MARKS = ["\u0301", "\u0308", "\u0327", "\u0300", "\u0323"]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())


@cache
def look_alikes() -> dict[str, tuple[str, ...]]:
    """For each ASCII letter and digit, the characters of other scripts (and
    compatibility forms, and small capitals) that are read as it: those ICU
    puts in its confusables class, in either case."""
    wanted = {c: _SPOOF.getSkeleton(0, c) for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
    wanted |= {c.upper(): _SPOOF.getSkeleton(0, c.upper()) for c in "abcdefghijklmnopqrstuvwxyz"}
    by_skeleton: dict[str, list[str]] = {}
    for letter, skeleton in wanted.items():
        by_skeleton.setdefault(skeleton, []).append(letter)
    found: dict[str, list[str]] = {letter: [] for letter in wanted}
    for code in range(0xA0, 0x2FFFF):
        char = chr(code)
        if unicodedata.category(char) not in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "So"):
            continue
        for letter in by_skeleton.get(_SPOOF.getSkeleton(0, char), ()):
            found[letter].append(char)
        small = _SMALL_CAPITAL.match(unicodedata.name(char, ""))
        if small is not None:
            found[small.group(1).lower()].append(char)
    return {letter: tuple(chars) for letter, chars in found.items() if chars}


@dataclass(frozen=True)
class Spelling:
    """One way of typing a withheld term, and the term it spells."""

    text: str
    term: str
    kind: str


def _letter(rng: random.Random, char: str) -> str:
    """One letter typed as it is, in the other case, as a look-alike, full
    width, with an accent, or with an invisible character after it."""
    choice = rng.randrange(7)
    alikes = look_alikes().get(char, ()) + look_alikes().get(char.swapcase(), ())
    if char in "iI":  # a capital I may stand for an i; an l-shape may not
        alikes = tuple(c for c in alikes if _fold(c) != "l")
    if choice == 1:
        return char.swapcase()
    if choice in (2, 3) and alikes:
        return rng.choice(alikes)
    if choice == 4 and char.isascii() and char.isalnum():
        return chr(ord(char) + 0xFEE0)
    if choice == 5 and char.isalpha():
        return char + rng.choice(MARKS)
    if choice == 6:
        return char + rng.choice(INVISIBLE)
    return char


def disguise(rng: random.Random, term: str) -> str:
    """``term`` typed with look-alike letters, marks, invisible characters
    and other separators between its words; now and then reversed under a
    right-to-left override (which shows it the right way round)."""
    words = ["".join(_letter(rng, char) for char in word) for word in term.split(" ")]
    typed = words[0]
    for word in words[1:]:
        typed += rng.choice(SEPARATORS) + word
    if rng.randrange(4) == 0:
        return "\u202e" + typed[::-1] + "\u202c"
    return typed


def spell(rng: random.Random, terms: dict[str, str]) -> Spelling:
    """A hostile spelling of one of ``terms`` (kind -> term) with what may
    come before and after it: a title before a name, an article before an
    organisation, a possessive or punctuation after."""
    kind = rng.choice(sorted(terms))
    before = ""
    if kind in ("name", "surname"):
        before = rng.choice(["", *HONORIFICS])
    elif kind in ("affiliation", "fragment"):
        before = rng.choice(["", *ARTICLES])
    text = before + disguise(rng, terms[kind]) + rng.choice(SUFFIXES)
    return Spelling(text, terms[kind], kind)


def spellings(terms: dict[str, str]) -> st.SearchStrategy[Spelling]:
    """Hypothesis's spellings of ``terms`` (see ``spell``)."""
    return st.randoms(use_true_random=False).map(lambda rng: spell(rng, terms))


def disguised(term: str) -> st.SearchStrategy[str]:
    """Hypothesis's disguises of ``term`` (see ``disguise``)."""
    return st.randoms(use_true_random=False).map(lambda rng: disguise(rng, term))


def corpus(terms: dict[str, str], count: int, seed: int) -> list[Spelling]:
    """``count`` different spellings of ``terms``, the same for a seed."""
    rng = random.Random(seed)  # noqa: S311 - a test corpus, not a secret
    found: dict[str, Spelling] = {}
    while len(found) < count:
        spelling = spell(rng, terms)
        found.setdefault(spelling.text, spelling)
    return list(found.values())


# -- reading an output as a person would ----------------------------------------


def _read_char(char: str, *, shape_first: bool) -> str:
    if icu.Char.hasBinaryProperty(char, _IGNORABLE):
        return ""
    if char.isspace():
        return " "
    text = char if shape_first else _fold(char)
    out = []
    for piece in _SPOOF.getSkeleton(0, text):
        for c in _fold(piece):
            if unicodedata.category(c) in ("Mn", "Me"):
                continue
            small = _SMALL_CAPITAL.match(unicodedata.name(c, ""))
            if small is not None:
                c = small.group(1).lower()
            out.append(_SPOOF.getSkeleton(0, c).casefold())
    return "".join(out)


def _latin(char: str) -> bool:
    return icu.Script.getScript(char).getName() in ("Latin", "Common", "Inherited")


def readings(text: str) -> list[str]:
    """``text`` as letters and digits only, read each way a reader might:
    Latin letters case folded first and other scripts' by their shape (a
    Greek capital Eta is an H), or every letter by its shape first (a
    capital I is an l); "i" and "l" are one letter."""
    first = "".join(_read_char(ch, shape_first=not _latin(ch)) for ch in text)
    second = "".join(_read_char(ch, shape_first=True) for ch in text)
    # A capital I reads as an "i" or an "l": the two are one letter here.
    return ["".join(c for c in form if c.isalnum()).replace("i", "l") for form in (first, second)]


def _squashed(term: str) -> str:
    return readings(term)[0]


def survivors(output: str, withheld: Iterable[str]) -> list[str]:
    """The withheld terms that can still be read in ``output``: their letters
    one after the other, whatever stands between them."""
    read = readings(output)
    return [term for term in withheld if any(_squashed(term) in form for form in read)]


if __name__ == "__main__":  # pragma: no cover - to look at the data
    for letter, chars in sorted(look_alikes().items()):
        sys.stdout.write(f"{letter}: {''.join(chars)}\n")
