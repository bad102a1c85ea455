"""An output's text as the leak check reads it: in the canonical form
``disclose`` matches in (``notesbase.disclosure.canonical``: case, accents,
compatibility forms, look-alike letters, invisible characters) but keeping
line breaks, cut into words with their places in the original, and the other
forms a reader may see it in (HTML as its words, Markdown without its
emphasis marks, link addresses decoded)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from html.parser import HTMLParser
from itertools import accumulate
from typing import NamedTuple

from notesbase.disclosure.canonical import EITHER_I_OR_L, AsciiTable, Origins, canonical_char
from notesbase.disclosure.words import word_set

# A word: letters and digits, with inner apostrophes ("O'Neill", "Smith's").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_HTML = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_MARKS = re.compile(r"\\(?=[^\w\s])|[*_`~]")
_URL = re.compile(r"(?:https?://|mailto:|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")
_OPEN_LINK = re.compile(r"\]\(\s*\Z")
_TRAILING = ".,;:!?)]}'\""


class Word(NamedTuple):
    """One word, folded (possessive and apostrophes dropped), and where it
    sits in the original text."""

    text: str
    start: int
    end: int


class _FoldTable(dict[str, str]):
    """Each character's piece of folded text, worked out once per character."""

    def __missing__(self, char: str) -> str:
        # A capital I is an "i" here (words are compared, not spellings),
        # and a sign keeps its shape (a dash ends a heading).
        pieces = "\n" if char == "\n" else canonical_char(char).replace(EITHER_I_OR_L, "i")
        if pieces == " " and not char.isspace():
            pieces = char
        self[char] = pieces
        return pieces


_FOLDED = _FoldTable()


def fold_lines(text: str) -> tuple[str, Sequence[int]]:
    """``text`` in canonical form character by character with line breaks
    kept, and the index in ``text`` each folded character came from."""
    folded, ends = _fold(text)
    return folded, Origins(ends)


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text, and where each original character's piece ends in it."""
    if text.isascii():
        # The same table, in C: ASCII is most of what is read.
        table = _ascii_fold()
        return table.read(text), list(accumulate(text.encode().translate(table.lengths)))
    pieces = list(map(_FOLDED.__getitem__, text))
    return "".join(pieces), list(accumulate(map(len, pieces)))


def _folded(text: str) -> str:
    """``_fold(text)[0]``, without where each piece ends."""
    if text.isascii():
        return _ascii_fold().read(text)
    return "".join(map(_FOLDED.__getitem__, text))


@lru_cache(maxsize=1)
def _ascii_fold() -> AsciiTable:
    """``_FOLDED`` for ASCII as a ``bytes.translate`` table (with each
    piece's length)."""
    return AsciiTable({code: _FOLDED[chr(code)] for code in range(128)})


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[Word, ...]:
    folded, ends = _fold(text)
    found: list[Word] = []
    for match in _WORD.finditer(folded):
        word = match.group()
        if "'" in word or "’" in word:
            word = _POSSESSIVE.sub("", word).replace("'", "").replace("’", "")
        if word:
            found.append(
                Word(
                    word, bisect_right(ends, match.start()), bisect_right(ends, match.end() - 1) + 1
                )
            )
    return tuple(found)


def piece_words(text: str) -> tuple[str, list[str]]:
    """``text`` folded (``fold_lines``, without the positions), and the
    texts of its words (``word_texts``): what ``words`` works out, less
    where each word is."""
    folded = _folded(text)
    found = _WORD.findall(folded)
    if "'" in folded or "’" in folded:
        found = [_POSSESSIVE.sub("", word).replace("'", "").replace("’", "") for word in found]
        found = [word for word in found if word]
    return folded, found


def words(text: str) -> list[Word]:
    """The words of ``text`` as the check compares them: "Smith’s" and
    "SMITH" are both "smith", "Ni\u200bghtingale" is "nightingale". The
    same texts are read by every channel of a meeting: kept (8,192)."""
    return list(_words(text))


def word_texts(text: str) -> list[str]:
    return [word.text for word in words(text)]


def looks_like_html(text: str) -> bool:
    return bool(_HTML.search(text))


class _Blocks(HTMLParser):
    """HTML as the words a reader sees, a line break around each block so
    paragraphs and list entries stay apart; inline tags join their words."""

    _BLOCK = word_set(
        "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 "
        "h4 h5 h6 header hr li main nav ol p pre section table tbody td th thead title tr ul"
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(value for _name, value in attrs if value)
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        # Not shown, but sent all the same: read like an attribute.
        self.attributes.append(data)


def html_text(text: str) -> tuple[str, list[str]]:
    """The words of an HTML text (a blank line between blocks) and its
    attribute values (link addresses, titles, image descriptions)."""
    reader = _Blocks()
    reader.feed(text)
    reader.close()
    plain = re.sub(r"[ \t]*\n[ \t\n]*\n[ \t]*", "\n\n", "".join(reader.parts))
    return plain.strip(), reader.attributes


def readings(text: str) -> list[str]:
    """Every form of ``text`` that is read: as it is (HTML as its words,
    then its attribute values and comments), and without Markdown's
    emphasis marks ("Ja**ne** Doe" reads "Jane Doe")."""
    forms = [text]
    if looks_like_html(text):
        plain, attributes = html_text(text)
        forms = [plain, *attributes]
    for form in list(forms):
        unmarked = _MARKS.sub("", form)
        if unmarked != form:
            forms.append(unmarked)
    return list(dict.fromkeys(forms))


def addresses(text: str) -> list[tuple[int, int]]:
    """Where link addresses sit in ``text``: bare ones, Markdown targets,
    and the whole text when it is one token (an attribute value, a path)."""
    if text and not any(char.isspace() for char in text):
        return _addresses(text, [(0, len(text))])
    return _addresses(text, [])


def line_addresses(line: str) -> list[tuple[int, int]]:
    """``addresses`` of a line as part of a longer text: never the whole
    line as one token (the text around it has spaces)."""
    return _addresses(line, [])


def opens_link(line: str) -> bool:
    """Whether a Markdown link's address may go on after this line ("](" at
    its end): its addresses are then not those of its lines."""
    return bool(_OPEN_LINK.search(line))


def _addresses(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for match in _URL.finditer(text):
        spans.append((match.start(), match.end()))
    for match in _LINK_TARGET.finditer(text):
        spans.append((match.start(1), match.end(1)))
    trimmed = set()
    for start, end in spans:
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        if end > start:
            trimmed.add((start, end))
    return sorted(trimmed)


def lines(text: str) -> list[tuple[int, int]]:
    """The start and end of each non-blank line of ``text``."""
    found: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            found.append((start, end))
        start = end + 1
    return found


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved in past surrounding spaces."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
