"""The quick ways of putting text in canonical form and of matching give
exactly what the plain algorithms give, on ASCII and on odd Unicode
(combining marks, invisible and bidi characters, full-width letters,
ligatures, look-alike letters). The plain algorithms are kept here, as the
reference, and nowhere in the product."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notesbase.disclosure.canonical import (
    alternative,
    alternative_char,
    canonical_char,
    canonical_map,
    loose,
    loose_reading,
    origins,
)
from notesbase.disclosure.folding import decode_hosts, squash
from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.patterns import reading_words
from notesbase.disclosure.words import ARTICLES, HONORIFICS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the reference: one character at a time, every term tried --

_WORD = re.compile(r"[^\W_]+")
_GLUED_MIN = 5


def slow_reading(text: str, char_reading) -> tuple[str, list[int]]:
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in char_reading(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def slow_key(text: str) -> str:
    return " ".join(_WORD.findall("".join(canonical_char(c) for c in text)))


def slow_keys(text: str) -> list[str]:
    other = " ".join(_WORD.findall("".join(alternative_char(c) for c in text)))
    return [key for key in dict.fromkeys((slow_key(text), other)) if key]


EITHER = "\u01c0"  # a capital I: an "i" or an "l"


def slow_letters(word: str) -> str:
    either = {"i": f"[i{EITHER}]", "l": f"[l{EITHER}]", EITHER: f"[il{EITHER}]"}
    return "".join(either.get(char) or re.escape(char) for char in word)


def slow_prefix(words: Iterable[str]) -> str:
    keys = sorted({slow_key(w) for w in words} - {""}, key=lambda k: (-len(k), k))
    alternatives = "|".join(r"[\W_]*".join(map(slow_letters, k.split())) for k in keys)
    return "(?:(?:" + alternatives + r")[\W_]+)?"


def _loose(text: str) -> str:
    return text.replace("i", "l").replace(EITHER, "l")


class SlowMatcher:
    """``Matcher`` without its index: every term is tried on both readings."""

    def __init__(
        self,
        replacements: Mapping[str, str],
        keep: Iterable[str] = (),
        honorific: Iterable[str] = (),
        article: Iterable[str] = (),
    ) -> None:
        self.by_key: dict[str, str] = {}
        for term, replacement in replacements.items():
            for key in slow_keys(term):
                self.by_key.setdefault(key, replacement)
        self.kept = {k for phrase in keep for k in slow_keys(phrase)} - set(self.by_key)
        self.prefix: dict[str, str] = {}
        for pattern, terms in (
            (slow_prefix(HONORIFICS), honorific),
            (slow_prefix(ARTICLES), article),
        ):
            for term in terms:
                for key in slow_keys(term):
                    self.prefix.setdefault(key, pattern)
        self.glued = sorted(
            {key.replace(" ", "") for key in self.by_key if len(key.replace(" ", "")) >= _GLUED_MIN}
        )

    def _find(self, text: str, char_reading) -> list[tuple[int, int, str]]:
        folded, origin = slow_reading(text, char_reading)
        keys = sorted(set(self.by_key) | self.kept, key=lambda key: (-len(key), key))
        if not keys:
            return []
        alternatives = "|".join(
            "(" + self.prefix.get(key, "") + r"[\W_]*".join(map(slow_letters, key.split())) + ")"
            for key in keys
        )
        regex = re.compile(r"(?<![^\W_])(?:" + alternatives + r")(?![^\W_])")
        found: list[tuple[int, int, str]] = []
        for match in regex.finditer(folded):
            replacement = self.by_key.get(keys[match.lastindex - 1])
            if replacement is None:
                continue
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            while end < len(text) and canonical_char(text[end]) == "":
                end += 1
            found.append((start, end, replacement))
        return found

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        if not self.by_key or not text:
            return []
        found = self._find(text, canonical_char)
        merged: list[tuple[int, int, str]] = []
        for hit in sorted(
            [*found, *self._find(text, alternative_char)], key=lambda h: (h[0], -h[1])
        ):
            if merged and hit[0] < merged[-1][1]:
                if hit[1] > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hit[1], merged[-1][2])
                continue
            merged.append(hit)
        return merged

    def names_in_url(self, url: str) -> bool:
        if not self.by_key or not url:
            return False
        plain = decode_hosts(url)
        for _ in range(3):
            plain = unquote(plain)
        if self.matches(plain) or self.matches(slow_key(plain)):
            return True
        glued = _loose(slow_key(plain).replace(" ", ""))
        return any(_loose(term) in glued for term in self.glued)


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
SEPARATORS = [
    " ",
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "-",
    "_",
    ".",
    "@",
    "%20",
    "/",
    "'s",
    "",
    "Mr ",
    "the ",
]


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
@given(st.one_of(ascii_text, mixed_text))
def test_canonical_is_the_character_by_character_form(text: str) -> None:
    """Translating a whole text gives what each character's form does, and
    each character of the result comes from the character it should."""
    folded, origin = canonical_map(text)
    assert (folded, list(origin)) == slow_reading(text, canonical_char)
    reread = alternative(text)
    assert (reread, list(origins(text, alternative=True))) == slow_reading(text, alternative_char)


def test_every_ascii_character_reads_as_its_own_form() -> None:
    """ASCII text long enough to go through the byte table (``AsciiTable``)
    reads as each character's form: every ASCII character, in runs and
    next to the characters read as two ("m" is "rn") or as nothing."""
    for code in range(128):
        char = chr(code)
        for text in (char * 20, f'{char}m{char}"{char}1I|%' * 3, f"Ada {char} Lovelace, m{char}"):
            folded, origin = canonical_map(text)
            assert (folded, list(origin)) == slow_reading(text, canonical_char), repr(text)
            assert (alternative(text), list(origins(text, alternative=True))) == slow_reading(
                text, alternative_char
            ), repr(text)
            for other, char_reading in ((False, canonical_char), (True, alternative_char)):
                wanted = loose("".join(char_reading(c) for c in text))
                assert loose_reading(text, alternative=other) == wanted, repr(text)


@SETTINGS
@given(st.one_of(ascii_text, mixed_text, ascii_text.map(lambda text: text * 3)))
def test_loose_reading_is_the_loose_canonical_form(text: str) -> None:
    """``loose_reading`` is ``loose`` of the canonical form (and of the
    alternative reading), however long the text and whatever it holds."""
    assert loose_reading(text) == loose("".join(canonical_char(c) for c in text))
    wanted = loose("".join(alternative_char(c) for c in text))
    assert loose_reading(text, alternative=True) == wanted


@SETTINGS
@given(st.one_of(ascii_text, mixed_text))
def test_squash_is_the_canonical_letters(text: str) -> None:
    """Squashing keeps the canonical letters and digits, nothing else."""
    assert squash(text) == slow_key(text).replace(" ", "")


@SETTINGS
@given(replacements, keeps, st.one_of(typed(WORDS), mixed_text), st.booleans())
def test_matches_are_the_plain_matches(
    terms: dict[str, str], keep: list[str], text: str, prefixed: bool
) -> None:
    """Trying only the terms whose words a text holds finds what trying every term does."""
    kinds = (list(terms), list(keep)) if prefixed else ((), ())
    fast = Matcher(terms, keep=keep, honorific=kinds[0], article=kinds[1])
    assert fast.matches(text) == SlowMatcher(terms, keep, *kinds).matches(text)


@SETTINGS
@given(replacements, keeps, st.one_of(glued_urls, typed(WORDS), mixed_text))
def test_names_in_url_is_the_plain_check(terms: dict[str, str], keep: list[str], url: str) -> None:
    """Looking glued terms up by their first letters finds the same addresses."""
    assert Matcher(terms, keep=keep).names_in_url(url) == SlowMatcher(terms, keep).names_in_url(url)


many_replacements = st.dictionaries(
    terms, st.sampled_from(["a participant", "someone from an organisation"]), max_size=30
)


@SETTINGS
@given(many_replacements, st.one_of(glued_urls, typed(WORDS), st.sampled_from(WORDS)))
def test_names_in_url_is_the_plain_check_with_more_terms_than_letters(
    terms: dict[str, str], url: str
) -> None:
    """A short address beside many terms is looked up position by position,
    a long one term by term: the same answer either way."""
    assert Matcher(terms).names_in_url(url) == SlowMatcher(terms, []).names_in_url(url)


def test_a_glued_name_is_found_whichever_way_it_is_looked_for() -> None:
    """Forty people: a name glued to other letters (so no word of the
    address is the name) in a short address is looked up position by
    position, in a long one term by term; either way it is found at the
    first and the last place it fits, and nothing else is."""
    people = {f"Person{chr(97 + n // 26)}{chr(97 + n % 26)} Surname": "x" for n in range(40)}
    fast, slow = Matcher(people), SlowMatcher(people, [])
    name, filler = "personbcsurname", "z" * 60
    for url in (f"{name}cv", f"cv{name}", f"{name}{filler}", f"{filler}{name}"):
        assert fast.names_in_url(url) is slow.names_in_url(url) is True, url
    for url in ("cvpersonzzsurname", f"{filler}personbc-surnam"):
        assert fast.names_in_url(url) is slow.names_in_url(url) is False, url


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


@SETTINGS
@given(replacements, keeps, st.one_of(typed(WORDS), mixed_text, ascii_text))
def test_a_text_a_matcher_may_not_find_in_holds_none_of_its_terms(
    terms: dict[str, str], keep: list[str], text: str
) -> None:
    """``may_find`` from a text's reading words (what the leak check keeps
    for each sentence) says no only where ``matches`` finds nothing."""
    matcher = Matcher(terms, keep)
    if not matcher.may_find(*reading_words(text)):
        assert matcher.matches(text) == []
