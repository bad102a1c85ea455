"""The one canonical form in which every withheld or released term, and
every text it is looked for in, is compared.

A character's canonical form is what a reader takes it for:

1. default-ignorable code points (zero-width characters, fillers, the soft
   hyphen, variation selectors, bidi controls: Unicode's
   Default_Ignorable_Code_Point, as ICU knows it) are nothing;
2. any space is a space;
3. compatibility forms are unified (NFKC: full-width letters, ligatures,
   mathematical letters), case is folded, accents and other combining marks
   are dropped, and a small capital ("ᴀ") is its letter;
4. a letter that looks like another is the prototype of its Unicode
   confusables class (UTS #39 skeleton, from ICU through PyICU: Lisu "ꓮ",
   Cyrillic "а" and Latin "a" are one letter; "m" and "rn" are one too);
5. steps 3 and 4 again, until nothing changes.

The form is worked out one character at a time, so every character of a
canonical text comes from one character of the original (``canonical_map``),
and a replacement can cut exactly the disguised word.

A letter of another script is read by its shape: a Greek capital "Η" is
the "H" it looks like, though its small form "η" looks like an "n". A
Latin letter has its case folded before its skeleton is taken, so "ALI"
and "Ali" are one word. A capital "I" (or anything shaped like it) may be
either an "i" or an "l": it becomes ``EITHER_I_OR_L``, which the matcher
reads as both ("HaIl" is "Hall", "ALI" is "Ali"). A few other letters whose
shape says one thing and whose case another get an ``alternative`` reading
that the matcher tries too."""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import accumulate
from typing import overload

import icu

_IGNORABLE = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
_MARKS = {"Mn", "Me"}
_SMALL_CAPITAL = re.compile(
    r"^(?:(LATIN|GREEK|CYRILLIC) )?(?:LETTER |MODIFIER LETTER )?SMALL CAPITAL "
)
_LOCAL = threading.local()
# A capital I, and whatever is shaped like one: an "i" or an "l".
EITHER_I_OR_L = "\u01c0"
_LATIN_OR_COMMON = {icu.UScriptCode.LATIN, icu.UScriptCode.COMMON, icu.UScriptCode.INHERITED}


def _spoof_checker() -> icu.SpoofChecker:
    """ICU's spoof checker, one per thread (a checker is not shared)."""
    checker = getattr(_LOCAL, "checker", None)
    if checker is None:
        checker = _LOCAL.checker = icu.SpoofChecker()
    return checker


def ignorable(char: str) -> bool:
    """Whether ``char`` is a default-ignorable code point (shown as nothing)."""
    return bool(icu.Char.hasBinaryProperty(char, _IGNORABLE))


def _small_capital(char: str) -> str:
    """A small capital ("ᴀ", "ɢ") as the letter it is a small form of."""
    name = unicodedata.name(char, "")
    if "SMALL CAPITAL" not in name:
        return char
    match = _SMALL_CAPITAL.match(name)
    if match is None:
        return char
    script = match.group(1) or "LATIN"
    try:
        return unicodedata.lookup(f"{script} SMALL LETTER {name[match.end() :]}")
    except KeyError:
        return char


def _letters(text: str) -> str:
    """Step 3: compatibility forms unified, case folded, marks dropped,
    small capitals made letters; ignorable characters dropped."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = []
    for char in decomposed:
        if unicodedata.category(char) in _MARKS or ignorable(char):
            continue
        kept.append(_small_capital(char))
    return "".join(kept)


def _skeleton(text: str) -> str:
    return str(_spoof_checker().getSkeleton(0, text)) if text else ""


def _settle(text: str) -> str:
    """Steps 3 and 4 until nothing changes (a prototype is its own)."""
    for _ in range(4):
        settled = _letters(_skeleton(_letters(text)))
        if settled == text:
            break
        text = settled
    return text


def _by_shape(char: str) -> str:
    """``char`` read by its shape before its case is folded."""
    return "".join(_settle(c) for c in _skeleton(char))


def _latin(char: str) -> bool:
    """Whether ``char`` (a mathematical or full-width letter by the letter it
    styles) is Latin, or of no script: read by its case first."""
    base = unicodedata.normalize("NFKD", char)[:1] or char
    return icu.Script.getScript(base).getScriptCode() in _LATIN_OR_COMMON


def _readings(char: str) -> tuple[str, str]:
    """``char`` read case first and shape first."""
    return _settle(char), _by_shape(char)


def _either(folded: str, shaped: str) -> str | None:
    """``folded`` with each "i" that its shape reads as "l" made
    ``EITHER_I_OR_L``; None where the two readings differ otherwise."""
    if len(folded) != len(shaped):
        return None
    pairs = list(zip(folded, shaped, strict=True))
    if any(a != b and {a, b} != {"i", "l"} for a, b in pairs):
        return None
    return "".join(a if a == b else EITHER_I_OR_L for a, b in pairs)


def _base(char: str) -> str:
    """``char`` with case folded and marks dropped, nothing more."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)


def _symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


@lru_cache(maxsize=1 << 16)
def canonical_char(char: str) -> str:
    """One character in canonical form: "" for an ignorable character or a
    mark, " " for any space, otherwise one or more letters or signs. A sign
    shaped like a letter ("|", "%") ends a word here; its letters are its
    alternative reading."""
    if ignorable(char):
        return ""
    if char.isspace() or unicodedata.category(char) == "Pc":
        return " "  # a connector ("_") joins nothing a reader sees as one word
    folded, shaped = _readings(char)
    if _symbol(char) and any(c.isalnum() for c in shaped):
        return " "
    if shaped == "l" and _base(char) != "l":
        return EITHER_I_OR_L
    if folded == shaped:
        return folded
    either = _either(folded, shaped)
    if either is not None:
        return either
    return folded if _latin(char) else shaped


@lru_cache(maxsize=1 << 16)
def alternative_char(char: str) -> str:
    """``char`` read the other way where its case and its shape disagree
    otherwise than "i" and "l" (a Latin long "ſ" is an "s", and looks like
    an "f"), and a sign by the letters it is shaped like ("|" an "l" or "I").
    The same as ``canonical_char`` for all but a few hundred characters."""
    found = canonical_char(char)
    if ignorable(char) or char.isspace() or EITHER_I_OR_L in found:
        return found
    if unicodedata.category(char) == "Pc":
        return found
    folded, shaped = _readings(char)
    if found == " ":
        return EITHER_I_OR_L if shaped == "l" else shaped
    if not _latin(char):
        return found  # read by its shape: what a reader takes it for
    return shaped if found == folded else folded


def loose(text: str) -> str:
    """Canonical ``text`` with "i", "l" and ``EITHER_I_OR_L`` made one
    letter: two words that may be the same, for looking terms up."""
    return text.translate(_LOOSE)


_LOOSE = str.maketrans({"i": "l", EITHER_I_OR_L: "l"})


class _Table(dict[int, str]):
    """A ``str.translate`` table that fills itself in: a text is put in
    canonical form in one pass of C code, each character worked out once per
    process (a bounded number: the table is emptied if it grows very large)."""

    def __init__(self, reading: object) -> None:
        super().__init__()
        self.reading = reading
        self.lock = threading.Lock()
        self._ascii: AsciiTable | None = None

    def __missing__(self, code: int) -> str:
        value = self.reading(chr(code))  # type: ignore[operator]
        with self.lock:
            if len(self) > 200_000:
                self.clear()
            self[code] = value
        return value

    def read(self, text: str) -> str:
        """``text.translate(self)``; ASCII text (most of what is read) through
        ``AsciiTable``, several times quicker."""
        if len(text) >= _ASCII_FROM and text.isascii():
            return self.ascii().read(text)
        return text.translate(self)

    def ends(self, text: str) -> list[int]:
        """Where each character's piece of ``read(text)`` ends in it."""
        if len(text) >= _ASCII_FROM and text.isascii():
            return list(accumulate(text.encode("ascii").translate(self.ascii().lengths)))
        return list(accumulate(map(len, map(self.__getitem__, map(ord, text)))))

    def ascii(self) -> AsciiTable:
        """Its ASCII characters as a byte table, made when first asked
        (two threads may both make it: they make the same)."""
        if self._ascii is None:
            self._ascii = AsciiTable(self)
        return self._ascii


# Shorter texts are read through the table itself: quick enough.
_ASCII_FROM = 16


class AsciiTable:
    """A translate table's ASCII characters (a ``_Table``'s, or any mapping
    of each ASCII code to its string) as a ``bytes.translate`` table: each
    character read as one character is that byte; one read as nothing is
    deleted; one read as another string (an "m" is "rn") becomes a byte
    above ASCII, which no ASCII text holds, put back as its string after."""

    def __init__(self, table: Mapping[int, str]) -> None:
        codes = bytearray(range(256))
        self.delete = bytearray()
        marks: dict[str, int] = {}
        for code in range(128):
            value = table[code]
            if value == "":
                self.delete.append(code)
            elif len(value) == 1 and value.isascii():
                codes[code] = ord(value)
            else:
                mark = marks.setdefault(value, 0x80 + len(marks))
                codes[code] = mark
        self.codes = bytes(codes)
        self.others: list[tuple[str, str]] = [(chr(m), value) for value, m in marks.items()]
        self.lengths = bytes(len(table[code]) for code in range(128)) + bytes(128)

    def read(self, text: str) -> str:
        read = text.encode("ascii").translate(self.codes, self.delete).decode("latin-1")
        for mark, value in self.others:
            if mark in read:
                read = read.replace(mark, value)
        return read


_CANONICAL = _Table(canonical_char)
_ALTERNATIVE = _Table(alternative_char)
# The same, loose (see ``loose``): where terms are looked for.
_LOOSE_CANONICAL = _Table(lambda char: loose(canonical_char(char)))
_LOOSE_ALTERNATIVE = _Table(lambda char: loose(alternative_char(char)))


def canonical(text: str) -> str:
    """``text`` in canonical form, character by character (spaces kept)."""
    return _CANONICAL.read(text)


def alternative(text: str) -> str:
    """``text`` in its alternative reading (see ``alternative_char``)."""
    return _ALTERNATIVE.read(text)


def loose_reading(text: str, *, alternative: bool = False) -> str:
    """``loose(canonical(text))`` (or of the alternative reading) in one pass."""
    return (_LOOSE_ALTERNATIVE if alternative else _LOOSE_CANONICAL).read(text)


class Origins(Sequence[int]):
    """For each character of a text made piece by piece from an original
    (each original character giving zero, one or more characters), the index
    of the original character it came from, worked out when asked for (a text
    is mostly read without a match, and a match asks for two or three
    places). ``ends``: where each original character's piece ends."""

    def __init__(self, ends: list[int]) -> None:
        self._ends = ends

    @classmethod
    def of(cls, text: str, table: _Table) -> Origins:
        return cls(table.ends(text))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...

    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return bisect_right(self._ends, index)


def origins(text: str, *, alternative: bool = False) -> Sequence[int]:
    """For each character of ``canonical(text)`` (or of its alternative
    reading), the index in ``text`` of the character it came from."""
    return Origins.of(text, _ALTERNATIVE if alternative else _CANONICAL)


def canonical_map(text: str) -> tuple[str, Sequence[int]]:
    """``canonical(text)`` and, for each of its characters, where it came from."""
    return canonical(text), origins(text)


_WORD = re.compile(r"[^\W_]+")


def canonical_words(text: str) -> list[str]:
    """The words of ``text`` in canonical form: runs of letters and digits;
    any other character (punctuation, a hyphen, a space) ends a word."""
    return _WORD.findall(canonical(text))


def term_key(text: str) -> str:
    """A term's canonical words, one space between them: its identity."""
    return " ".join(canonical_words(text))
