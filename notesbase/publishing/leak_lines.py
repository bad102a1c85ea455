"""The leak check's reading of an output, piece by piece: each distinct
line, and each distinct sentence of a line, is read once per audience,
however many channels and forms carry it.

A meeting's item texts reach one audience many times over: the email's
plain text and HTML, the Markdown and print exports, each in more than one
form (``leak_text.readings``). The rules (``PeopleCheck.hits``,
``SecretsCheck.hits``, ``PeopleCheck.attendee_lists``) read a whole
reading, but what they read of it is made piece by piece, since nothing
they look for is changed by what stands beyond the spaces around it: the
terms the matchers find, the words, the runs of words that are a secret's,
the link addresses, the folded text a heading is looked for in. So a
reading is cut into its lines, and a line into its sentences (at the spaces
after "." "!" "?"); each distinct piece is read once, each distinct line is
put together from its sentences once, and each reading from its lines; the
rules then run on the whole reading exactly as before, so they find the
same things.

Putting pieces together gives what reading the whole text gives except in
a few cases, which are looked for first; in any of them that line, or the
reading, is read whole instead (fail closed):

- a term spelled across a break (``Joins.across``: "Alex" at the end of one
  line, "Smith" at the start of the next);
- a matcher whose terms are found differently in a longer text holding more
  of them (``Joins.risky``), and the text may hold one of them;
- a Markdown link whose address goes on past the break ("](" at its end).

Runs of words that are a secret's are looked for across every break, and
the rules' own reading of the whole (a secret's run followed on, a list of
names in one line or one field, a heading and the block under it) runs on
what was put together. A piece's words and terms never depend on the spaces
around it, and its link addresses only in that a piece of one word is an
address in itself, which it never is in a reading of several pieces. A
reading of one piece is read whole."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import overload

from notesbase.disclosure.matching import Matcher, reading_words
from notesbase.publishing import leak_text
from notesbase.publishing.leak_people import (
    Hit,
    Named,
    PeopleCheck,
    attendee_headings,
    may_end_heading,
    may_hold_heading,
)
from notesbase.publishing.leak_secrets import SecretsCheck
from notesbase.publishing.leak_text import Word

Found = list[tuple[int, int, str]]
Grams = list[tuple[int, tuple[str, ...]]]
_INDENT = " \t"
# Where a line is cut into pieces too: the spaces after the end of a sentence.
_BREAK = re.compile(r"(?<=[.!?]) +")


class _Piece:
    """One piece (a sentence, or a line of one): what the rules read of it,
    each part worked out when first asked. Every answer is the answer for
    ``text`` alone."""

    __slots__ = ("_found", "_grams", "_lines", "_loose", "_named", "_read", "_spans", "text")

    def __init__(self, text: str, lines: Lines) -> None:
        self.text = text
        self._lines = lines
        self._found: dict[int, Found] | None = None
        self._grams: dict[int, Grams] | None = None
        self._loose: tuple[list[str], list[str] | None] | None = None
        self._read: tuple[str, list[str], bool] | None = None
        self._spans: tuple[list[tuple[int, int]], bool] | None = None
        self._named: Named | None = None

    def matches(self, matcher: Matcher) -> Found:
        """``matcher.matches(self.text)``."""
        if self._found is None:
            self._found = {}
        found = self._found.get(matcher.serial)
        if found is None:
            found = self._found[matcher.serial] = matcher.matches(self.text)
        return found

    def loose(self) -> tuple[list[str], list[str] | None]:
        """The words the matchers look terms up by (``reading_words``)."""
        if self._loose is None:
            self._loose = reading_words(self.text)
        return self._loose

    def _folding(self) -> tuple[str, list[str], bool]:
        if self._read is None:
            folded, texts = leak_text.piece_words(self.text)
            self._read = (folded, texts, may_end_heading(folded))
        return self._read

    @property
    def folded(self) -> str:
        """``leak_text.fold_lines(self.text)[0]``."""
        return self._folding()[0]

    @property
    def texts(self) -> list[str]:
        """``leak_text.word_texts(self.text)``."""
        return self._folding()[1]

    @property
    def may_head(self) -> bool:
        """Whether it may hold how a heading such as "Attendees:" ends
        (``may_end_heading``): every heading of a text ends in a piece."""
        return self._folding()[2]

    def word_at(self, index: int) -> tuple[int, int]:
        """Where its word ``index`` starts and ends (``leak_text.words``)."""
        word = leak_text.words(self.text)[index]
        return word.start, word.end

    def grams(self, size: int) -> Grams:
        """``SecretsCheck.grams_in`` of its words."""
        if self._grams is None:
            self._grams = {}
        found = self._grams.get(size)
        if found is None:
            found = self._grams[size] = self._lines.secrets.grams_in(self.texts, size)
        return found

    def spans(self) -> tuple[list[tuple[int, int]], bool]:
        """``leak_text.line_addresses``, and whether a link's address may
        go on after it (``leak_text.opens_link``)."""
        if self._spans is None:
            text = self.text
            self._spans = (leak_text.line_addresses(text), leak_text.opens_link(text))
        return self._spans

    @property
    def named(self) -> Named:
        """``PeopleCheck._people_in(self.text)``."""
        if self._named is None:
            people = self._lines.people
            self._named = people.people_at(self.text, self.matches(people.everyone))
        return self._named


Part = _Piece  # or a ``_Joined`` (the same answers)


class _Joined(_Piece):
    """A text put together from parts (a line from its sentences, a
    reading from its lines), each at its place in it: the same answers as
    a ``_Piece`` of the text, worked out from the parts' own where nothing
    can be found across them, else from the text itself."""

    __slots__ = ("_firsts", "_flat", "_seams", "_texts", "parts")

    def __init__(self, text: str, lines: Lines, parts: list[tuple[int, Part]]) -> None:
        super().__init__(text, lines)
        self.parts = parts
        self._flat: tuple[list[str], list[str] | None] | None = None
        self._seams: list[tuple[int, int, str, str]] | None = None
        self._firsts: list[int] | None = None
        self._texts: list[str] | None = None

    def matches(self, matcher: Matcher) -> Found:
        if self._found is None:
            self._found = {}
        found = self._found.get(matcher.serial)
        if found is None:
            if self._joined(matcher):
                found = [
                    (start + base, end + base, key)
                    for base, part in self.parts
                    for start, end, key in part.matches(matcher)
                ]
            else:
                self._lines.read_whole += 1
                found = matcher.matches(self.text)
            self._found[matcher.serial] = found
        return found

    def _joined(self, matcher: Matcher) -> bool:
        """Whether ``matcher`` finds in the text what it finds in its parts."""
        joins = matcher.joins
        for reading, cut, last, first in self._breaks():
            if joins.may_cross(last, first):
                flat = self.loose()[reading]
                if flat is not None and joins.across(flat, cut):
                    return False
        if joins.risky:
            plain, other = self.loose()
            return not joins.holds_risky({*plain, *(other or ())})
        return True

    def _breaks(self) -> list[tuple[int, int, str, str]]:
        """Each break between parts' words, in each reading (0, and 1 for
        the other where a part has one): where the words after it begin
        among the text's, the last word before it and the first after."""
        if self._seams is None:
            seams = []
            readings = [0, 1] if self.loose()[1] is not None else [0]
            for reading in readings:
                last = None
                cut = 0
                for _base, part in self.parts:
                    plain, alternative = part.loose()
                    words = plain if reading == 0 or alternative is None else alternative
                    if words:
                        if last is not None:
                            seams.append((reading, cut, last, words[0]))
                        last = words[-1]
                        cut += len(words)
            self._seams = seams
        return self._seams

    def loose(self) -> tuple[list[str], list[str] | None]:
        if self._flat is None:
            plain: list[str] = []
            other: list[str] = []
            either = False
            for _base, part in self.parts:
                words, alternative = part.loose()
                plain.extend(words)
                other.extend(words if alternative is None else alternative)
                either = either or alternative is not None
            self._flat = (plain, other if either else None)
        return self._flat

    def _folding(self) -> tuple[str, list[str], bool]:
        if self._read is None:
            folded: list[str] = []
            at = 0
            for base, part in self.parts:
                folded.append(_folded_space(self.text[at:base]))
                folded.append(part.folded)
                at = base + len(part.text)
            folded.append(_folded_space(self.text[at:]))
            texts = [word for _base, part in self.parts for word in part.texts]
            self._read = ("".join(folded), texts, any(part.may_head for _b, part in self.parts))
        return self._read

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [word for _base, part in self.parts for word in part.texts]
        return self._texts

    def _word_firsts(self) -> list[int]:
        """Where each part's words begin among the text's."""
        if self._firsts is None:
            self._firsts = [0, *accumulate(len(part.texts) for _base, part in self.parts)]
        return self._firsts

    def word_at(self, index: int) -> tuple[int, int]:
        firsts = self._word_firsts()
        # The last part beginning at or before it: one with words (a part
        # without any begins where the next does).
        row = bisect_right(firsts, index) - 1
        base, part = self.parts[row]
        start, end = part.word_at(index - firsts[row])
        return start + base, end + base

    def grams(self, size: int) -> Grams:
        """``SecretsCheck.grams_in``: those in a part, and those across the
        end of one."""
        if self._grams is None:
            self._grams = {}
        found = self._grams.get(size)
        if found is None:
            texts, firsts = self.texts, self._word_firsts()
            secrets = self._lines.secrets
            total = len(texts)
            found = []
            for (_base, part), first, after in zip(self.parts, firsts, firsts[1:], strict=False):
                inside = part.grams(size)
                if inside:
                    found.extend([(first + index, gram) for index, gram in inside])
                for at in range(max(after - size + 1, first), min(after, total - size + 1)):
                    if secrets.may_start(size, texts[at]):
                        gram = tuple(texts[at : at + size])
                        if secrets.is_gram(gram):
                            found.append((at, gram))
            self._grams[size] = found
        return found

    def spans(self) -> tuple[list[tuple[int, int]], bool]:
        if self._spans is None:
            found: list[tuple[int, int]] | None = []
            for index, (base, part) in enumerate(self.parts):
                spans, opens = part.spans()
                if opens and index < len(self.parts) - 1:
                    found = None  # an address may go on into the next part
                    break
                found.extend((start + base, end + base) for start, end in spans)
            if found is None:
                found = leak_text.line_addresses(self.text)
            self._spans = (found, self.parts[-1][1].spans()[1])
        return self._spans

    @property
    def named(self) -> Named:
        if self._named is None:
            people = self._lines.people
            found = self.matches(people.everyone)
            self._named = people.people_at(self.text, found) if found else []
        return self._named


class Lines:
    """Reads outputs for one audience: ``hits`` of a reading, each distinct
    line and sentence read once (see the module). ``whole``: read every
    reading whole, as the check did before (for comparing the two)."""

    def __init__(self, people: PeopleCheck, secrets: SecretsCheck, *, whole: bool = False) -> None:
        self.people = people
        self.secrets = secrets
        self.whole = whole
        self._pieces: dict[str, _Piece] = {}
        self._lines: dict[str, Part] = {}
        self._read: dict[str, list[Hit]] = {}
        self.read_whole = 0  # texts of several parts read whole (see the module)

    def hits(self, reading: str) -> list[Hit]:
        """Everything the rules find in ``reading``, in order of where it starts."""
        if self.whole:
            return self._hits_whole(reading)
        found = self._read.get(reading)
        if found is None:
            found = self._read[reading] = self._hits(reading)
        return list(found)

    def _hits_whole(self, text: str) -> list[Hit]:
        people, secrets = self.people, self.secrets
        found = [*people.hits(text), *secrets.hits(text), *people.attendee_lists(text)]
        return sorted(found, key=lambda hit: hit.start)

    def matches(self, matcher: Matcher, text: str) -> Found:
        """``matcher.matches(text)``, from the text's lines and sentences."""
        return self._joined(text)[0].matches(matcher)

    def _hits(self, text: str) -> list[Hit]:
        reading, rows, pieces = self._joined(text)
        if pieces < 2:
            return self._hits_whole(text)
        return _Reading(self, reading, rows).hits()

    def _joined(self, text: str) -> tuple[_Joined, dict[int, tuple[int, Part]], int]:
        """The text put together from its lines, each line by where it
        starts, and how many pieces they hold."""
        rows: dict[int, tuple[int, Part]] = {}
        parts: list[tuple[int, Part]] = []
        pieces = 0
        offset = 0
        for raw in text.split("\n"):
            body = raw.strip(_INDENT)
            if body:
                base = offset + len(raw) - len(raw.lstrip(_INDENT))
                line = self.line(body)
                rows[offset] = (base, line)
                parts.append((base, line))
                pieces += len(line.parts) if isinstance(line, _Joined) else 1
            offset += len(raw) + 1
        return _Joined(text, self, parts), rows, pieces

    def line(self, text: str) -> Part:
        """The line ``text`` (without its indentation), from its sentences."""
        found = self._lines.get(text)
        if found is None:
            pieces: list[tuple[int, Part]] = []
            at = 0
            for cut in _BREAK.finditer(text):
                self._piece(pieces, at, text[at : cut.start()])
                at = cut.end()
            self._piece(pieces, at, text[at:])
            if len(pieces) == 1 and pieces[0][0] == 0 and pieces[0][1].text == text:
                found = pieces[0][1]
            else:
                found = _Joined(text, self, pieces)
            self._lines[text] = found
        return found

    def _piece(self, pieces: list[tuple[int, Part]], at: int, raw: str) -> None:
        body = raw.strip(_INDENT)
        if body:
            piece = self._pieces.get(body)
            if piece is None:
                piece = self._pieces[body] = _Piece(body, self)
            pieces.append((at + len(raw) - len(raw.lstrip(_INDENT)), piece))


class _Reading:
    """The rules on one reading of several pieces, given what they read of
    it put together (``leak_people.Parts`` for the attendee rule)."""

    def __init__(self, lines: Lines, joined: _Joined, rows: dict[int, tuple[int, Part]]) -> None:
        self.lines = lines
        self.joined = joined
        self.text = joined.text
        self.rows = rows

    def hits(self) -> list[Hit]:
        lines, text, joined = self.lines, self.text, self.joined
        people, secrets = lines.people, lines.secrets
        found = people.hits_at(text, joined.matches(people.matcher), self._addresses())
        if secrets.runs or secrets.short:
            words = _Words(joined)
            found += secrets.hits_in(text, words, joined.texts, joined.grams)
        found += people.attendee_lists(text, self)
        return sorted(found, key=lambda hit: hit.start)

    def _addresses(self) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for base, line in self.joined.parts:
            spans, opens = line.spans()
            if opens:
                return leak_text.addresses(self.text)
            found.extend((start + base, end + base) for start, end in spans)
        return found

    # ``leak_people.Parts`` ----------------------------------------------

    def headings(self) -> list[tuple[int, int]]:
        if not self.joined.may_head or not may_hold_heading(self.joined.folded):
            return []
        return attendee_headings(self.text)

    def people_in(self, start: int, end: int) -> Named:
        base, line = self.rows[start]
        return [(s + base, e + base, owners) for s, e, owners in line.named]

    def people_in_text(self) -> Named:
        people = self.lines.people
        return people.people_at(self.text, self.joined.matches(people.everyone))


class _Words(Sequence[Word]):
    """The words of a text put together (``leak_text.words``): where each
    is, worked out when asked."""

    def __init__(self, joined: _Joined) -> None:
        self._joined = joined
        self._count = len(joined.texts)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Word]:
        for index in range(len(self)):
            yield self[index]

    @overload
    def __getitem__(self, index: int) -> Word: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Word]: ...

    def __getitem__(self, index: int | slice) -> Word | Sequence[Word]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        start, end = self._joined.word_at(index)
        return Word(self._joined.texts[index], start, end)


def _folded_space(text: str) -> str:
    """Space between pieces (spaces, tabs, line breaks) as ``fold_lines``
    folds it."""
    if text.strip(" \t\n"):
        return leak_text.fold_lines(text)[0]
    return text.replace("\t", " ")
