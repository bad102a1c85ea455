"""The leak check's reading of an output, piece by piece: each distinct
line, and each distinct sentence of a line, is read once per audience,
however many channels and forms carry it.

A meeting's item texts reach one audience many times over: the email's
plain text and HTML, the Markdown and print exports, each in more than one
form (``leakcheck.text.readings``). The rules (``PeopleCheck.hits``,
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
from collections.abc import Iterator, Sequence
from typing import overload

from notesbase.disclosure.matching import Matcher
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.people import (
    Hit,
    Named,
    PeopleCheck,
    attendee_headings,
    may_hold_heading,
)
from notesbase.publishing.leakcheck.pieces import Found, Joined, Part, Piece
from notesbase.publishing.leakcheck.secrets import SecretsCheck
from notesbase.publishing.leakcheck.text import Word

_INDENT = " \t"
# Where a line is cut into pieces too: the spaces after the end of a sentence.
_BREAK = re.compile(r"(?<=[.!?]) +")
# Pieces a reader keeps before it starts over: a 100-item meeting's four
# outputs hold about 2,500.
FORGET_AFTER = 50_000


class Lines:
    """Reads outputs for one audience: ``hits`` of a reading, each distinct
    line and sentence read once (see the module). ``whole``: read every
    reading whole, as the check did before (for comparing the two)."""

    def __init__(self, people: PeopleCheck, secrets: SecretsCheck, *, whole: bool = False) -> None:
        self.people = people
        self.secrets = secrets
        self.whole = whole
        self._pieces: dict[str, Piece] = {}
        self._lines: dict[str, Part] = {}
        self._read: dict[str, list[Hit]] = {}
        self._fields: dict[str, tuple[Hit, ...]] = {}
        self.read_whole = 0  # texts of several parts read whole (see the module)

    def weight(self) -> int:
        """How much it holds: the pieces and lines it has read."""
        return len(self._pieces) + len(self._lines)

    def field_hits(self, text: str) -> list[Hit]:
        """Everything found in a field's ``text``, reading by reading
        (``leakcheck.text.readings``), each distinct text read once."""
        found = self._fields.get(text)
        if found is None:
            if len(self._pieces) > FORGET_AFTER:
                # Kept from check to check (``leakcheck.kept``): one whose
                # outputs keep changing (a draft as it is written) starts over.
                self._pieces.clear()
                self._lines.clear()
                self._read.clear()
                self._fields.clear()
            hits: list[Hit] = []
            for reading in leak_text.readings(text):
                hits.extend(self.hits(reading))
            found = self._fields[text] = tuple(hits)
        return list(found)

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

    def _joined(self, text: str) -> tuple[Joined, dict[int, tuple[int, Part]], int]:
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
                pieces += len(line.parts) if isinstance(line, Joined) else 1
            offset += len(raw) + 1
        return Joined(text, self, parts), rows, pieces

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
                found = Joined(text, self, pieces)
            self._lines[text] = found
        return found

    def _piece(self, pieces: list[tuple[int, Part]], at: int, raw: str) -> None:
        body = raw.strip(_INDENT)
        if body:
            piece = self._pieces.get(body)
            if piece is None:
                piece = self._pieces[body] = Piece(body, self)
            pieces.append((at + len(raw) - len(raw.lstrip(_INDENT)), piece))


class _Reading:
    """The rules on one reading of several pieces, given what they read of
    it put together (``leakcheck.people.Parts`` for the attendee rule)."""

    def __init__(self, lines: Lines, joined: Joined, rows: dict[int, tuple[int, Part]]) -> None:
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

    # ``leakcheck.people.Parts`` ----------------------------------------------

    def headings(self) -> list[tuple[int, int]]:
        if not self.joined.may_head or not may_hold_heading(self.joined.folded):
            return []
        return attendee_headings(self.text)

    def people_in(self, start: int, end: int) -> Named:
        base, line = self.rows[start]
        named = line.named
        return [(s + base, e + base, owners) for s, e, owners in named] if named else []

    def people_in_text(self) -> Named:
        people = self.lines.people
        return people.people_at(self.text, self.joined.matches(people.everyone))


class _Words(Sequence[Word]):
    """The words of a text put together (``leakcheck.text.words``): where each
    is, worked out when asked."""

    def __init__(self, joined: Joined) -> None:
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
