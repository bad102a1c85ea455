"""Small text helpers shared across areas.

Everything a user types is stored in one Unicode form, NFC, so that a name
or a word typed with a combining accent ("Jose" + U+0301) and one typed
precomposed ("José") are the same text: in the database, in the search
index and in the queries run against it (``notesbase.search.query`` cleans
queries with ``clean_line`` too). NFC rather than NFKC keeps what people
typed (full-width letters, ligatures); matching that must see through those
uses the canonical form of ``notesbase.disclosure.canonical``.

Nothing stored keeps a character that hides or turns text around (bidi
overrides, fillers, zero-width spaces): ``removed_characters`` says which
were taken out, so the writer is told."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_NON_WORD = re.compile(r"[^a-z0-9]+")
# C0 and C1 control characters except tab and line feed: no field has a use
# for them, PostgreSQL refuses NUL, and a terminal or mail program may act
# on the others. Carriage returns are handled as line endings.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters that are invisible or reorder the text around them: bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the
# Arabic letter mark, zero-width spaces and joiners, direction marks
# (U+200B-U+200F), the word joiner and invisible operators, the byte order
# mark and the soft hyphen. In a name or a title they can hide it, make two
# names look alike, or turn the words after it around: one-line fields drop
# them.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# What no stored text keeps, even of several lines: bidi embeddings and
# overrides (U+202A-U+202E, which can show reversed text the right way
# round), the fillers and zero-width characters that stand for nothing
# (Hangul fillers, zero-width space, word joiner, invisible operators, the
# byte order mark, the soft hyphen, the Mongolian vowel separator, the
# combining grapheme joiner, shorthand format controls, deprecated format
# characters) and tag characters outside an emoji flag. Kept: joiners (in
# emoji and Persian), direction marks and isolates (right-to-left text needs
# them, and they cannot turn left-to-right words around), variation
# selectors.
_HIDDEN = re.compile(
    "[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u202a-\u202e\u2060-\u2065"
    "\u206a-\u206f\u3164\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3]"
)
# Tag characters: kept only as an emoji flag's (a black flag, tag letters,
# a cancel tag); anywhere else they smuggle invisible text.
_TAGS = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)|[\U000e0000-\U000e0fff]")
# Line and paragraph separators other than \n (and \r, handled first).
_LINE_BREAKS = re.compile("[\u2028\u2029\x85]")


def slugify(text: str, max_length: int = 80) -> str:
    """'Data and AI: Community of Practice' -> 'data-and-ai-community-of-practice'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


_EMBEDDINGS = re.compile("[\u202a-\u202e]")


def shown_order(text: str) -> str:
    """``text`` with each run under a right-to-left override (U+202E ...
    U+202C, or to the end of its line) in the order a reader sees it:
    reversed, a letter's marks kept after it, a run nested in it kept whole.
    So "\u202eecalevoL adA\u202c" is "Ada Lovelace", as shown."""
    if not _EMBEDDINGS.search(text):
        return text
    # Each open embedding: whether it reverses, and its units (letters with
    # their marks, and nested runs, which move as one).
    stack: list[tuple[bool, list[str]]] = [(False, [])]

    def close() -> None:
        reverse, units = stack.pop()
        stack[-1][1].append("".join(reversed(units) if reverse else units))

    for char in text:
        if char in "\u202a\u202b\u202d\u202e":
            stack.append((char == "\u202e", [char]))
        elif char == "\u202c" and len(stack) > 1:
            stack[-1][1].append(char)
            close()
        elif char == "\n":
            while len(stack) > 1:
                close()
            stack[0][1].append(char)
        elif unicodedata.combining(char) and stack[-1][1]:
            stack[-1][1][-1] += char
        else:
            stack[-1][1].append(char)
    while len(stack) > 1:
        close()
    return "".join(stack[0][1])


def without_hidden(text: str) -> str:
    """``text`` as a reader sees it (``shown_order``), without the
    characters that can disguise or reverse it."""
    return _strip_hidden(shown_order(text))


def _strip_hidden(text: str) -> str:
    return _TAGS.sub(lambda match: match.group(1) or "", _HIDDEN.sub("", text))


def clean_text(text: str | None) -> str:
    """Text of several lines (a body, a description, a summary) as stored:
    NFC, ``\\n`` line endings, no control characters, and none of the hidden
    characters that can disguise or reverse text (``_HIDDEN``). Joiners,
    direction marks and isolates are kept: right-to-left text and emoji
    need them."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAKS.sub("\n", text)
    return unicodedata.normalize("NFC", without_hidden(_CONTROL.sub("", text)))


def clean_line(text: str | None) -> str:
    """A one-line value (a name, a title, a heading, a query) as stored: NFC,
    no control or invisible characters, single spaces, trimmed."""
    # A name, a title or a query is kept in the order it was typed: an
    # override in one is a typo or a trick, and either way goes.
    text = _INVISIBLE.sub("", _strip_hidden(_CONTROL.sub("", text or "")))
    return " ".join(unicodedata.normalize("NFC", text).split())


def removed_characters(text: str | None, *, one_line: bool = False) -> list[str]:
    """The hidden characters (invisible, bidi or control) that storing
    ``text`` takes out, each once, in order, as "U+202E RIGHT-TO-LEFT
    OVERRIDE": the writer is told, never left to wonder."""
    text = text or ""
    found: list[str] = []
    for pattern in (_CONTROL, _HIDDEN, *((_INVISIBLE,) if one_line else ())):
        found.extend(match.group() for match in pattern.finditer(text))
    found.extend(match.group() for match in _TAGS.finditer(text) if not match.group(1))
    found = [char for char in found if char not in "\t\n"]
    return [
        f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL CHARACTER')}"
        for char in sorted(set(found), key=text.index)
    ]


_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (ESC starts
    sequences a terminal acts on, CR overwrites the line) shown as ``\\x1b``."""
    return _TERMINAL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def removed_from(values: Mapping[str, tuple[str | None, bool]]) -> dict[str, list[str]]:
    """For each field (its value as typed, and whether it is one line),
    the hidden characters storing it takes out; fields without any left out."""
    removed = {
        name: removed_characters(value, one_line=one_line)
        for name, (value, one_line) in values.items()
    }
    return {name: found for name, found in removed.items() if found}
