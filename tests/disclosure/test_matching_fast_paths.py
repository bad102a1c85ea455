"""The quick ways of folding and matching give exactly what the plain
character-by-character algorithm gives, on ASCII and on odd Unicode
(combining marks, invisible and bidi characters, full-width letters,
ligatures, look-alike letters). The plain algorithm is kept here, as the
reference, and nowhere in the product."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure.matching import _fold_char, _fold_map, fold, squash

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the reference: matching as it was first written, one character at a time --


def slow_fold_map(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def slow_fold(text: str) -> str:
    return " ".join("".join(_fold_char(c) for c in text).split())


def slow_squash(text: str) -> str:
    return "".join(re.findall(r"[^\W_]+", slow_fold(text)))


# -- generated text -----------------------------------------------------------

# Characters folding treats specially, or that look like ASCII but are not.
TRICKY = [
    "\u0301", "\u0308", "\u0327", "\u20dd",  # combining marks
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u180e",  # invisible
    "\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c",  # bidi controls
    "\ufe0f", "\U000e0041", "\u3164", "\uffa0",  # selectors, tags, fillers
    "Ｊ", "ａ", "ｎ", "ｅ", "Ｄ", "ｏ", "＠", "．", "－",  # full width
    "ﬁ", "ﬂ", "ﬀ", "ﬃ", "ﬆ", "Ĳ",  # ligatures
    "а", "е", "о", "р", "с", "у", "і", "Ј", "α", "ο", "Α", "Ο", "ν",  # look-alikes
    "ß", "ẞ", "İ", "ı", "ŉ", "\u212a", "\u212b", "ſ", "Σ", "ς", "é", "e\u0301", "Å", "ñ",
    "\u00a0", "\u2028", "\u2029", "\u3000", "\u1680", "\x85", "\x1c", "\x1f", "\x0b",
    "①", "㎏", "½", "👍🏽", "\ud7ff", "Ⅻ", "ǅ",
]  # fmt: skip
ascii_text = st.text(st.characters(max_codepoint=127), max_size=80)
mixed_text = st.lists(
    st.one_of(st.characters(max_codepoint=127), st.sampled_from(TRICKY), st.characters()),
    max_size=80,
).map("".join)


# -- the properties -----------------------------------------------------------


@SETTINGS
@given(ascii_text)
def test_fold_ascii_is_the_plain_fold(text: str) -> None:
    """Folding ASCII text at once gives what folding each character does."""
    assert fold(text) == slow_fold(text)


@SETTINGS
@given(mixed_text)
def test_fold_mixed_is_the_plain_fold(text: str) -> None:
    """Folding mixed text by ASCII runs gives what folding each character does."""
    assert fold(text) == slow_fold(text)


@SETTINGS
@given(st.one_of(ascii_text, mixed_text))
def test_fold_map_is_the_plain_fold_map(text: str) -> None:
    """The folded text and where each of its characters came from are unchanged."""
    folded, origin = _fold_map(text)
    assert (folded, list(origin)) == slow_fold_map(text)


@SETTINGS
@given(st.one_of(ascii_text, mixed_text))
def test_squash_is_the_plain_squash(text: str) -> None:
    """Squashing to letters and digits gives what it gave before."""
    assert squash(text) == slow_squash(text)
