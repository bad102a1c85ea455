"""What the leak check's rules read of a piece of an output (a sentence,
a line) and of a text put together from pieces (a line from its
sentences, a reading from its lines), each worked out once and the same as
for the text alone: see ``leakcheck.lines``."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, chain
from typing import Protocol

from notesbase.disclosure.matching import Matcher
from notesbase.disclosure.patterns import reading_words
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.people import Named, PeopleCheck, may_end_heading
from notesbase.publishing.leakcheck.secrets import SecretsCheck

# Kept as tuples: what a check keeps of its pieces is no work for the
# garbage collector once it has seen it (a tuple of strings and numbers is
# left alone), however many pieces a check reads.
Found = tuple[tuple[int, int, str], ...]
Grams = tuple[tuple[int, tuple[str, ...]], ...]
Words = tuple[str, ...]


class Reader(Protocol):
    """What pieces are read for: the rules of one audience (``leakcheck.lines.Lines``)."""

    people: PeopleCheck
    secrets: SecretsCheck
    read_whole: int


class Piece:
    """One piece (a sentence, or a line of one): what the rules read of it,
    each part worked out when first asked. Every answer is the answer for
    ``text`` alone."""

    __slots__ = ("_found", "_grams", "_lines", "_loose", "_named", "_read", "_spans", "text")

    def __init__(self, text: str, lines: Reader) -> None:
        self.text = text
        self._lines = lines
        self._found: dict[int, Found] | None = None
        self._grams: dict[int, Grams] | None = None
        self._loose: tuple[Words, Words | None] | None = None
        self._read: tuple[str, Words, bool] | None = None
        self._spans: tuple[tuple[tuple[int, int], ...], bool] | None = None
        self._named: Named | None = None

    def matches(self, matcher: Matcher) -> Found:
        """``matcher.matches(self.text)``."""
        if self._found is None:
            self._found = {}
        found = self._found.get(matcher.serial)
        if found is None:
            # Most pieces hold no word of any term: their words, worked out
            # once, tell without reading the text again for each matcher.
            found = tuple(matcher.matches(self.text)) if matcher.may_find(*self.loose()) else ()
            self._found[matcher.serial] = found
        return found

    def loose(self) -> tuple[Words, Words | None]:
        """The words the matchers look terms up by (``reading_words``)."""
        if self._loose is None:
            plain, other = reading_words(self.text)
            self._loose = (tuple(plain), None if other is None else tuple(other))
        return self._loose

    def _folding(self) -> tuple[str, Words, bool]:
        if self._read is None:
            folded, texts = leak_text.piece_words(self.text)
            self._read = (folded, tuple(texts), may_end_heading(folded))
        return self._read

    @property
    def folded(self) -> str:
        """``leakcheck.text.fold_lines(self.text)[0]``."""
        return self._folding()[0]

    @property
    def texts(self) -> Words:
        """``leakcheck.text.word_texts(self.text)``."""
        return self._folding()[1]

    @property
    def may_head(self) -> bool:
        """Whether it may hold how a heading such as "Attendees:" ends
        (``may_end_heading``): every heading of a text ends in a piece."""
        return self._folding()[2]

    def word_at(self, index: int) -> tuple[int, int]:
        """Where its word ``index`` starts and ends (``leakcheck.text.words``)."""
        word = leak_text.words(self.text)[index]
        return word.start, word.end

    def grams(self, size: int) -> Grams:
        """``SecretsCheck.grams_in`` of its words."""
        if self._grams is None:
            self._grams = {}
        found = self._grams.get(size)
        if found is None:
            found = self._grams[size] = tuple(self._lines.secrets.grams_in(self.texts, size))
        return found

    def spans(self) -> tuple[tuple[tuple[int, int], ...], bool]:
        """``leakcheck.text.line_addresses``, and whether a link's address may
        go on after it (``leakcheck.text.opens_link``)."""
        if self._spans is None:
            text = self.text
            self._spans = (tuple(leak_text.line_addresses(text)), leak_text.opens_link(text))
        return self._spans

    @property
    def named(self) -> Named:
        """``PeopleCheck._people_in(self.text)``."""
        if self._named is None:
            people = self._lines.people
            self._named = people.people_at(self.text, self.matches(people.everyone))
        return self._named


Part = Piece  # or a ``Joined`` (the same answers)


class Joined(Piece):
    """A text put together from parts (a line from its sentences, a
    reading from its lines), each at its place in it: the same answers as
    a ``Piece`` of the text, worked out from the parts' own where nothing
    can be found across them, else from the text itself."""

    __slots__ = ("_firsts", "_flat", "_head", "_seams", "_texts", "parts")

    def __init__(self, text: str, lines: Reader, parts: list[tuple[int, Part]]) -> None:
        super().__init__(text, lines)
        self.parts = parts
        self._head: bool | None = None
        self._flat: tuple[Words, Words | None] | None = None
        self._seams: tuple[tuple[int, int, str, str], ...] | None = None
        self._firsts: tuple[int, ...] | None = None
        self._texts: Words | None = None

    def matches(self, matcher: Matcher) -> Found:
        if self._found is None:
            self._found = {}
        found = self._found.get(matcher.serial)
        if found is None:
            if self._joined(matcher):
                found = tuple(
                    (start + base, end + base, key)
                    for base, part in self.parts
                    for start, end, key in part.matches(matcher)
                )
            else:
                self._lines.read_whole += 1
                found = tuple(matcher.matches(self.text))
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

    def _breaks(self) -> tuple[tuple[int, int, str, str], ...]:
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
            self._seams = tuple(seams)
        return self._seams

    def loose(self) -> tuple[Words, Words | None]:
        if self._flat is None:
            plain: list[str] = []
            other: list[str] = []
            either = False
            for _base, part in self.parts:
                words, alternative = part.loose()
                plain.extend(words)
                other.extend(words if alternative is None else alternative)
                either = either or alternative is not None
            self._flat = (tuple(plain), tuple(other) if either else None)
        return self._flat

    def _folding(self) -> tuple[str, Words, bool]:
        if self._read is None:
            folded: list[str] = []
            at = 0
            for base, part in self.parts:
                folded.append(_folded_space(self.text[at:base]))
                folded.append(part.folded)
                at = base + len(part.text)
            folded.append(_folded_space(self.text[at:]))
            self._read = ("".join(folded), self.texts, self.may_head)
        return self._read

    @property
    def may_head(self) -> bool:
        # From its parts, without putting its folded text together: few
        # texts hold a heading, and a long reading's folded text is long.
        if self._head is None:
            self._head = any(part.may_head for _b, part in self.parts)
        return self._head

    @property
    def texts(self) -> Words:
        if self._texts is None:
            self._texts = tuple(chain.from_iterable(part.texts for _base, part in self.parts))
        return self._texts

    def _word_firsts(self) -> tuple[int, ...]:
        """Where each part's words begin among the text's."""
        if self._firsts is None:
            self._firsts = (0, *accumulate(len(part.texts) for _base, part in self.parts))
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
            starts, table = secrets.starts(size), secrets.secrets_of(size)
            total = len(texts)
            grams: list[tuple[int, tuple[str, ...]]] = []
            for (_base, part), first, after in zip(self.parts, firsts, firsts[1:], strict=False):
                inside = part.grams(size)
                if inside:
                    grams.extend([(first + index, gram) for index, gram in inside])
                for at in range(max(after - size + 1, first), min(after, total - size + 1)):
                    if texts[at] in starts:
                        gram = tuple(texts[at : at + size])
                        if gram in table:
                            grams.append((at, gram))
            self._grams[size] = found = tuple(grams)
        return found

    def spans(self) -> tuple[tuple[tuple[int, int], ...], bool]:
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
            self._spans = (tuple(found), self.parts[-1][1].spans()[1])
        return self._spans

    @property
    def named(self) -> Named:
        if self._named is None:
            people = self._lines.people
            found = self.matches(people.everyone)
            self._named = people.people_at(self.text, found) if found else []
        return self._named


def _folded_space(text: str) -> str:
    """Space between pieces (spaces, tabs, line breaks) as ``fold_lines``
    folds it."""
    if text.strip(" \t\n"):
        return leak_text.fold_lines(text)[0]
    return text.replace("\t", " ")
