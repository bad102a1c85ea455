"""The quick ways of folding and matching give exactly what the plain
character-by-character algorithm gives, on ASCII and on odd Unicode
(combining marks, invisible and bidi characters, full-width letters,
ligatures, look-alike letters). The plain algorithm is kept here, as the
reference, and nowhere in the product."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure.matching import (
    Matcher,
    _fold_char,
    _fold_map,
    _words,
    decode_hosts,
    fold,
    squash,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the reference: matching as it was first written, one character at a time --

_WORD = re.compile(r"\w+")
_GLUED_MIN = 5


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


class SlowMatcher:
    """``Matcher`` before it was made quick: every phrase indexed by its
    longest word is tried, and glued terms are searched for one by one."""

    def __init__(self, replacements: Mapping[str, str], keep: Iterable[str] = ()) -> None:
        self.by_fold: dict[str, str] = {}
        for term, replacement in replacements.items():
            key = slow_fold(term)
            if key and key not in self.by_fold:
                self.by_fold[key] = replacement
        kept = {slow_fold(phrase) for phrase in keep} - set(self.by_fold) - {""}
        self.index: dict[str, list[str]] = {}
        for key in sorted(set(self.by_fold) | kept):
            word = max(_WORD.findall(key), key=len, default="")
            self.index.setdefault(word, []).append(key)
        self.squashed = sorted(
            {s for s in (slow_squash(key) for key in self.by_fold) if len(s) >= _GLUED_MIN}
        )

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        if not self.by_fold or not text:
            return []
        folded, origin = slow_fold_map(text)
        candidates = set(self.index.get("", ()))
        for word in set(_WORD.findall(folded)):
            candidates.update(self.index.get(word, ()))
        if not candidates & self.by_fold.keys():
            return []
        keys = sorted(candidates, key=lambda key: (-len(key), key))
        alternatives = "|".join(r"\s+".join(map(re.escape, key.split())) for key in keys)
        regex = re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)")
        found: list[tuple[int, int, str]] = []
        for match in regex.finditer(folded):
            replacement = self.by_fold.get(" ".join(match.group(0).split()))
            if replacement is None:
                continue
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            while end < len(text) and _fold_char(text[end]) == "":
                end += 1
            found.append((start, end, replacement))
        return found

    def names_in_url(self, url: str) -> bool:
        if not self.by_fold or not url:
            return False
        plain = decode_hosts(url)
        for _ in range(3):
            plain = unquote(plain)
        spaced = " ".join(re.split(r"[\W_]+", slow_fold(plain)))
        if self.matches(plain) or self.matches(spaced):
            return True
        glued = slow_squash(plain)
        return any(term in glued for term in self.squashed)


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
    "①", "㎏", "½", "👍🏽", "\ud7ff", "Ⅻ", "ǅ", "℡", "…", "’", "\ud800", "\udfff",
]  # fmt: skip
ascii_text = st.text(st.characters(max_codepoint=127), max_size=80)
mixed_text = st.lists(
    st.one_of(st.characters(max_codepoint=127), st.sampled_from(TRICKY), st.characters()),
    max_size=80,
).map("".join)

# Words the terms are made of, so that texts built from them hold the terms.
WORDS = ["jane", "doe", "Ann", "LEE", "smith", "o'neil", "jean-luc", "zoë", "ｄｏｅ", "ﬁona"]
SEPARATORS = [" ", " ", "  ", "\n", "\t", "\u00a0", "-", "_", ".", "@", "%20", "/", "'s", ""]


def typed(words: Iterable[str]) -> st.SearchStrategy[str]:
    """Words run together with separators, odd characters and case changes."""
    piece = st.one_of(
        st.sampled_from(list(words)),
        st.sampled_from(SEPARATORS),
        st.sampled_from(TRICKY),
        st.sampled_from(["the", "said", "of", "Example", "org", "https://", ":"]),
    )
    return st.lists(piece, max_size=16).map("".join)


phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
# Addresses with names glued to each other and to other letters.
glued_urls = st.lists(st.sampled_from([*WORDS, "mr", "x", "cv", "-", "/"]), max_size=8).map(
    lambda parts: "https://example.org/" + "".join(parts)
)
terms = st.one_of(phrases, typed(WORDS).filter(lambda text: len(text) < 30))
replacements = st.dictionaries(
    terms, st.sampled_from(["a participant", "someone from an organisation", "A"]), max_size=5
)
keeps = st.lists(terms, max_size=3)


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


@SETTINGS
@given(st.one_of(ascii_text, mixed_text, typed(WORDS)))
def test_words_are_the_runs_of_word_characters(text: str) -> None:
    """Splitting ASCII on its non-word characters gives the words a regex finds."""
    assert _words(text) == set(_WORD.findall(text))


@SETTINGS
@given(replacements, keeps, st.one_of(typed(WORDS), mixed_text))
def test_matches_are_the_plain_matches(terms: dict[str, str], keep: list[str], text: str) -> None:
    """Trying only the phrases whose every word a text holds finds the same terms."""
    assert Matcher(terms, keep=keep).matches(text) == SlowMatcher(terms, keep).matches(text)


@SETTINGS
@given(replacements, keeps, st.one_of(glued_urls, typed(WORDS), mixed_text))
def test_names_in_url_is_the_plain_check(terms: dict[str, str], keep: list[str], url: str) -> None:
    """Looking glued terms up by their first letters finds the same addresses."""
    assert Matcher(terms, keep=keep).names_in_url(url) == SlowMatcher(terms, keep).names_in_url(url)


def test_fast_and_plain_agree_on_a_disguised_name() -> None:
    """A name typed full-width, with an invisible character and an accent, is found whole."""
    text = "Ｊａｎｅ\u200b Do\u0301e's note, see https://example.org/jane-doe"
    matcher, slow = Matcher({"Jane Doe": "a participant"}), SlowMatcher({"Jane Doe": "x"})
    assert [hit[:2] for hit in matcher.matches(text)] == [hit[:2] for hit in slow.matches(text)]
    assert matcher.matches(text)[0][:2] == (0, 10)


def test_a_glued_term_at_the_very_end_of_an_address_is_found() -> None:
    """A glued term as short as allowed is found at the last place it fits."""
    for url in ("https://example.org/mrsmith", "https://example.org/SmithCV", "xsmith", "smith"):
        fast, slow = Matcher({"Smith": "x"}), SlowMatcher({"Smith": "x"})
        assert fast.names_in_url(url) is slow.names_in_url(url) is True
