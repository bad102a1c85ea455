"""Small text helpers shared across areas.

Everything a user types is stored in one Unicode form, NFC, so that a name
or a word typed with a combining accent ("Jose" + U+0301) and one typed
precomposed ("José") are the same text: in the database, in the search
index and in the queries run against it (``notesbase.search.query`` cleans
queries with ``clean_line`` too). NFC rather than NFKC keeps what people
typed (full-width letters, ligatures); matching that must see through those
uses ``notesbase.disclosure.matching.fold``."""

from __future__ import annotations

import re
import unicodedata

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
# Line and paragraph separators other than \n (and \r, handled first).
_LINE_BREAKS = re.compile("[\u2028\u2029\x85]")


def slugify(text: str, max_length: int = 80) -> str:
    """'Data and AI: Community of Practice' -> 'data-and-ai-community-of-practice'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def clean_text(text: str | None) -> str:
    """Text of several lines (a body, a description, a summary) as stored:
    NFC, ``\\n`` line endings, no control characters. Invisible characters
    are kept: in running text they can be meant (a joiner in an emoji or a
    Persian word), and paragraphs end any reordering they start."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAKS.sub("\n", text)
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def clean_line(text: str | None) -> str:
    """A one-line value (a name, a title, a heading, a query) as stored: NFC,
    no control or invisible characters, single spaces, trimmed."""
    text = _INVISIBLE.sub("", _CONTROL.sub("", text or ""))
    return " ".join(unicodedata.normalize("NFC", text).split())


_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (ESC starts
    sequences a terminal acts on, CR overwrites the line) shown as ``\\x1b``."""
    return _TERMINAL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
