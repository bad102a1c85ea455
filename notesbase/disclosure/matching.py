"""Finding a name, affiliation or descriptor in text however it was typed:
any case, with or without accents, composed or decomposed, in compatibility
forms (full-width letters, ligatures), with invisible characters inside it,
with line breaks or several spaces between its words, followed by a
possessive, or glued into a web address."""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import unquote

# The common zero-width characters; IGNORABLE below is the full set that
# matching skips (Unicode's default-ignorable code points).
ZERO_WIDTH = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# A term glued into an address ("jane-doe", "janedoe") is found only when it is
# this long once squashed, so short surnames do not strip every link.
_GLUED_MIN = 5
# Each matcher's own number, never reused (unlike ``id``): a cache can key
# on it without keeping the matcher alive.
_SERIALS = itertools.count(1)


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character as matching sees it: "" for an invisible character or a
    combining mark, a space for any space, otherwise its bare case-folded form."""
    if _IGNORABLE.match(char):
        return ""
    if char.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(
        c for c in decomposed if not unicodedata.combining(c) and not _IGNORABLE.match(c)
    )


def fold(text: str) -> str:
    """Text reduced to what a reader sees: no accents, no invisible
    characters, case-folded, compatibility forms unified, one space between
    words."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(_fold_chars(text).split())


# For ASCII, folding a character is only lower-casing it and turning any
# space into " ", so a whole text is folded at once. Done on UTF-8 bytes it
# leaves every other character alone (its bytes are all above 0x7f), and
# those few are then folded one by one.
_ASCII_SPACES = str.maketrans(dict.fromkeys("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", " "))
_ASCII_SPACE_BYTES = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_chars(text: str) -> str:
    """``text`` folded character by character, spaces not collapsed."""
    if text.isascii():
        return text.lower().translate(_ASCII_SPACES)
    data = text.encode("utf-8", "surrogatepass").lower().translate(_ASCII_SPACE_BYTES)
    return _NON_ASCII.sub(
        lambda char: _fold_char(char.group()), data.decode("utf-8", "surrogatepass")
    )


def _fold_map(text: str) -> tuple[str, Sequence[int]]:
    """``text`` folded character by character (spaces not collapsed), with
    the index in ``text`` each folded character came from."""
    folded = _fold_chars(text)
    if text.isascii():
        return folded, range(len(text))
    # Only characters folded to nothing (a combining mark) or to several (a
    # ligature) shift the folded text against ``text``.
    origin: list[int] = []
    last = 0
    for match in _NON_ASCII.finditer(text):
        length = len(_fold_char(match.group()))
        if length != 1:
            index = match.start()
            origin.extend(range(last, index))
            origin.extend([index] * length)
            last = index + 1
    if last == 0:  # nothing shifted
        return folded, range(len(text))
    origin.extend(range(last, len(text)))
    return folded, origin


def squash(text: str) -> str:
    """Folded letters and digits only: "Jane-Doe" and "jane_doe" both give "janedoe"."""
    return "".join(re.findall(r"[^\W_]+", fold(text)))


_PUNYCODE = re.compile(r"xn--([a-z0-9-]+)", re.IGNORECASE)


def decode_hosts(url: str) -> str:
    """``url`` with internationalised host names (``xn--…``) turned back into
    the letters they stand for."""

    def decode(match: re.Match[str]) -> str:
        try:
            return codecs.decode(match.group(1).lower().encode("ascii"), "punycode")
        except (UnicodeError, ValueError):
            return match.group(0)

    return _PUNYCODE.sub(decode, url)


def _phrase_pattern(key: str) -> str:
    return r"\s+".join(re.escape(word) for word in key.split())


@lru_cache(maxsize=2048)
def _phrases_regex(keys: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for these folded phrases, longest first."""
    return re.compile(r"(?<!\w)(?:" + "|".join(_phrase_pattern(k) for k in keys) + r")(?!\w)")


def _index_word(key: str) -> str:
    # Each run of word characters in a phrase is a whole run of the text's
    # wherever the phrase is found: its longest one indexes the phrase.
    return max(_WORD.findall(key), key=len, default="")


_WORD = re.compile(r"\w+")
# In ASCII a word character is a letter, a digit or "_": turning the rest
# into spaces and splitting is quicker than finding the words one by one.
_ASCII_NON_WORD = str.maketrans(
    dict.fromkeys((chr(c) for c in range(128) if not re.match(r"\w", chr(c))), " ")
)


def _words(folded: str) -> set[str]:
    """The distinct runs of word characters in ``folded``."""
    if folded.isascii():
        return set(folded.translate(_ASCII_NON_WORD).split())
    return set(_WORD.findall(folded))


class Matcher:
    """Finds and replaces a set of terms at once; ``replacements`` maps each
    term to what stands in for it. Longer terms win over their own parts, and
    a ``keep`` phrase (a released name that contains a withheld surname, say)
    is left as it is, unless it is itself withheld."""

    def __init__(self, replacements: Mapping[str, str], keep: Iterable[str] = ()) -> None:
        self.serial = next(_SERIALS)
        self._by_fold: dict[str, str] = {}
        for term, replacement in replacements.items():
            key = fold(term)
            if key and key not in self._by_fold:
                self._by_fold[key] = replacement
        kept = {fold(phrase) for phrase in keep} - set(self._by_fold) - {""}
        # Only the phrases whose longest word a text holds are looked at, and
        # tried only if it holds all their words: a phrase can match nowhere
        # else, and fewer phrases make fewer, smaller and oftener reused
        # regular expressions, so a meeting with hundreds of people stays quick.
        self._index: dict[str, list[str]] = {}
        self._words: dict[str, frozenset[str]] = {}
        for key in sorted(set(self._by_fold) | kept):
            self._index.setdefault(_index_word(key), []).append(key)
            self._words[key] = frozenset(_WORD.findall(key))
        self._index_words = frozenset(self._index)
        # Glued terms by their first letters: an address is looked up once
        # per position in it, not searched once per person.
        self._glued: dict[str, list[str]] = {}
        for term in sorted({squash(key) for key in self._by_fold}):
            if len(term) >= _GLUED_MIN:
                self._glued.setdefault(term[:_GLUED_MIN], []).append(term)

    def __bool__(self) -> bool:
        return bool(self._by_fold)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Each withheld term in ``text``: its start and end in ``text`` and
        what stands in for it, in order and not overlapping."""
        if not self._by_fold or not text:
            return []
        folded, origin = _fold_map(text)
        words = _words(folded)
        candidates = set(self._index.get("", ()))
        for word in words.intersection(self._index_words):
            candidates.update(k for k in self._index[word] if self._words[k] <= words)
        if not candidates & self._by_fold.keys():
            return []
        regex = _phrases_regex(tuple(sorted(candidates, key=lambda key: (-len(key), key))))
        found: list[tuple[int, int, str]] = []
        for match in regex.finditer(folded):
            replacement = self._by_fold.get(" ".join(match.group(0).split()))
            if replacement is None:
                continue  # a kept phrase
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            # Combining marks and invisible characters right after belong to it.
            while end < len(text) and _fold_char(text[end]) == "":
                end += 1
            found.append((start, end, replacement))
        return found

    def search(self, text: str) -> bool:
        return bool(self.matches(text))

    def sub(self, text: str, preceding: str = "") -> str:
        """``text`` with every term replaced; ``preceding`` is the text that
        came before it, to tell whether a stand-in opens a sentence."""
        parts: list[str] = []
        last = 0
        for start, end, replacement in self.matches(text):
            parts.append(text[last:start])
            parts.append(sentence_case(replacement, preceding + text[:start]))
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def names_in_url(self, url: str) -> bool:
        """Whether a link address or title carries a withheld term, also
        percent-encoded or glued to its neighbours ("jane-doe", "JaneDoe")."""
        if not self._by_fold or not url:
            return False
        plain = decode_hosts(url)
        for _ in range(3):  # addresses may be encoded more than once
            plain = unquote(plain)
        spaced = " ".join(re.split(r"[\W_]+", fold(plain)))
        if self.search(plain) or self.search(spaced):
            return True
        glued = squash(plain)
        return any(
            glued.startswith(term, start)
            for start in range(len(glued) - _GLUED_MIN + 1)
            for term in self._glued.get(glued[start : start + _GLUED_MIN], ())
        )


def sentence_case(replacement: str, before: str) -> str:
    """``replacement`` with a capital when it opens a sentence."""
    before = before.rstrip(" \t*_\"“‘'(")
    if not before or before[-1] in ".!?:\n":
        return replacement[:1].upper() + replacement[1:]
    return replacement


def contains_any(text: str, terms: Iterable[str]) -> list[str]:
    """The terms found in ``text`` once both are folded (the final check)."""
    folded = fold(text)
    hits = []
    for term in terms:
        key = fold(term)
        if key and re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", folded):
            hits.append(term)
    return hits
