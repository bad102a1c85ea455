"""The people side of the leak check: names, parts of names, affiliations,
descriptors and email addresses an audience may not see, and lists of who
attended. Built from the same facts and consent levels ``disclose`` uses,
and stricter than it: a first name or surname alone is a finding too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from notesbase.disclosure import Audience, Notes
from notesbase.disclosure.canonical import canonical_words
from notesbase.disclosure.consent import released_levels
from notesbase.disclosure.folding import decode_hosts, squash
from notesbase.publishing.leakcheck import text as leak_text
from notesbase.publishing.leakcheck.terms import AUDIENCE_WORDS, Term, audience_sees_all, terms_for

_LINK_LIKE = re.compile(r"[/@:]|www\.", re.IGNORECASE)
_NAME_LIKE = re.compile(r"\b[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+)+")


@dataclass(frozen=True)
class Hit:
    """One thing found in one reading of a field, before it has a key."""

    rule: str
    start: int
    match: str
    why: str
    people: tuple[int, ...] = ()  # whose it is (person ids), when known


class PeopleCheck:
    """Finds what ``audience`` may not see about the people in ``notes``.
    ``credited`` is the text ``disclose`` gives that audience: people named
    there are already known to have taken part."""

    def __init__(self, notes: Notes, audience: Audience, credited: str) -> None:
        self.audience = audience
        levels = released_levels(notes, audience)
        found = terms_for(tuple(notes.people), tuple(sorted(levels.items())), audience)
        self.terms = found.terms
        self.matcher = found.matcher
        self.glued = found.glued
        self.owners = found.owners
        self.capital_only = found.capital_only
        self.everyone = found.everyone
        self.full = found.full  # everyone's full name, to their id
        self._credited_text = credited
        self._credited: set[int] | None = None
        self._credit_from: Callable[[], Iterable[tuple[int, int, str]]] | None = None

    @property
    def credited(self) -> set[int]:
        """Who the credited text names in full (worked out when first asked:
        most outputs never name three people in a line)."""
        if self._credited is None:
            if self._credit_from is not None:
                self.credit(self._credit_from())
            else:
                self.credit(self.full.matches(self._credited_text))
        return self._credited  # type: ignore[return-value]

    def credit_from(self, matches: Callable[[], Iterable[tuple[int, int, str]]]) -> None:
        """Work out who is credited, when first asked, from ``matches()``:
        what ``self.full`` finds in the credited text, however read."""
        self._credit_from = matches

    def credit(self, matches: Iterable[tuple[int, int, str]]) -> None:
        """Take who the credited text names from what ``self.full`` finds in
        it (``self.full.matches`` of the text ``PeopleCheck`` was given)."""
        self._credited = {int(person) for _start, _end, person in matches}

    def _skip(self, term: Term, text: str, start: int) -> bool:
        """A common word that is part of a name counts only with a capital."""
        return term.capital_only and not text[start : start + 1].isupper()

    def hits(self, text: str) -> list[Hit]:
        """Names, parts, affiliations, descriptors and emails in ``text``,
        and names glued or encoded into its link addresses."""
        if not self.terms:
            return []
        return self.hits_at(text, self.matcher.matches(text), leak_text.addresses(text))

    def hits_at(
        self,
        text: str,
        matches: Iterable[tuple[int, int, str]],
        addresses: Iterable[tuple[int, int]],
    ) -> list[Hit]:
        """``hits``, given what ``self.matcher`` finds in ``text`` and where
        its link addresses are (``leakcheck.text.addresses``)."""
        if not self.terms:
            return []
        found: list[Hit] = []
        for start, end, key in matches:
            term = self.terms[key]
            if not self._skip(term, text, start):
                why = term.why(self.audience)
                found.append(Hit(term.rule, start, text[start:end], why, tuple(term.ids)))
        for start, end in addresses:
            inside = [hit for hit in found if start <= hit.start < end]
            if inside and not _LINK_LIKE.search(text[start:end]):
                continue  # a plain word, not an address
            # A name in an address is reported as the address it is in.
            address = self._address_hits(text[start:end], start)
            if address or not inside:
                found = [hit for hit in found if hit not in inside] + address
        return sorted(found, key=lambda hit: hit.start)

    def _address_hits(self, address: str, start: int) -> list[Hit]:
        plain = decode_hosts(address)
        for _ in range(3):  # addresses may be encoded more than once
            plain = unquote(plain)
        spaced = " ".join(canonical_words(plain))
        keys = [key for _s, _e, key in self.matcher.matches(spaced)]
        glued = squash(plain)
        keys += [key for squashed, key in self.glued if squashed in glued]
        hits: list[Hit] = []
        for key in dict.fromkeys(keys):
            term = self.terms[key]
            if term.capital_only:
                continue
            why = f"{term.why(self.audience)} It is written into a link address."
            hits.append(Hit(term.rule, start, address, why, tuple(term.ids)))
        return hits

    # Lists of who attended ------------------------------------------------

    def _people_in(self, text: str) -> Named:
        return self.people_at(text, self.everyone.matches(text))

    def _uncredited(self, named: Iterable[tuple[int, int, set[int]]]) -> int:
        """How many different people are named, leaving out those the
        audience's notes already credit by name."""
        singles: set[int] = set()
        shared: set[frozenset[int]] = set()
        for _start, _end, owners in named:
            if owners <= self.credited:
                continue
            if len(owners) == 1:
                singles |= owners
            else:
                shared.add(frozenset(owners))
        return len(singles) + sum(1 for owners in shared if not owners & singles)

    def attendee_lists(self, text: str, parts: Parts | None = None) -> list[Hit]:
        """A heading such as "Attendees:" followed by names, or three or more
        people named in one line (or one field) who are not credited in the
        notes this audience reads. ``parts``: what the rule reads of
        ``text``, when worked out already (by default from ``text``)."""
        if audience_sees_all(self.audience):
            return []
        if parts is None:
            parts = _TextParts(self, text)
        why = (
            f"This reads as a list of who attended: under the Chatham House Rule, "
            f"{AUDIENCE_WORDS.get(self.audience, str(self.audience))} may not learn who took part."
        )
        found: list[Hit] = []
        covered: list[tuple[int, int]] = []
        for start, end in parts.headings():
            region = text[start:end]
            if self._people_in(region) or len(_NAME_LIKE.findall(region)) >= 2:
                found.append(Hit("attendees", start, region, why))
                covered.append((start, end))
        for start, end in leak_text.lines(text):
            if any(s <= start < e for s, e in covered):
                continue
            named = parts.people_in(start, end)
            if len(named) >= 3 and self._uncredited(named) >= 3:
                # From the first name to the last: the list, not the whole line.
                uncredited = [(s, e) for s, e, owners in named if not owners <= self.credited]
                first, last = uncredited[0][0], uncredited[-1][1]
                found.append(Hit("attendees", first, text[first:last], why))
                covered.append((start, end))
        if not found:
            named = parts.people_in_text()
            if len(named) >= 3 and self._uncredited(named) >= 3:
                match = ", ".join(dict.fromkeys(text[s:e] for s, e, _o in named))
                found.append(Hit("attendees", named[0][0], match, why))
        return found

    def people_at(self, text: str, matches: Iterable[tuple[int, int, str]]) -> Named:
        """``_people_in``, given what ``self.everyone`` finds in ``text``."""
        found = []
        for start, end, key in matches:
            if key in self.capital_only and not text[start : start + 1].isupper():
                continue
            found.append((start, end, self.owners[key]))
        return found


Named = list[tuple[int, int, set[int]]]


class Parts(Protocol):
    """What ``PeopleCheck.attendee_lists`` reads of a text: its headings
    (``attendee_headings``), the people named in a line of it (by start
    and end, positions in the text) and in all of it (``_people_in``)."""

    def headings(self) -> list[tuple[int, int]]: ...

    def people_in(self, start: int, end: int) -> Named: ...

    def people_in_text(self) -> Named: ...


class _TextParts:
    """``Parts`` read from the text itself."""

    def __init__(self, check: PeopleCheck, text: str) -> None:
        self._check = check
        self._text = text

    def headings(self) -> list[tuple[int, int]]:
        return attendee_headings(self._text)

    def people_in(self, start: int, end: int) -> Named:
        named = self._check._people_in(self._text[start:end])
        return [(s + start, e + start, owners) for s, e, owners in named]

    def people_in_text(self) -> Named:
        return self._check._people_in(self._text)


# Read on canonical text (``leakcheck.text.fold_lines``), where a dash is "-" or
# "ー" and a bullet "·".
_HEADING = re.compile(
    r"(?:^|(?<=[.!?]\s))[ \t>#*_+•·-]*(?:(?:list\s+of|the)\s+)?"
    r"(attendees|attendance|participants|delegates|present|apologies|guests|"
    r"in\s+attendance|those\s+present|people\s+present|who\s+attended|who\s+was\s+there|"
    r"attendee\s+list|participant\s+list|guest\s+list)"
    r"(?:\s+list)?[ \t*_]*(?::|ー|-|—|–|$)",
    re.MULTILINE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MAX_LIST_LINES = 40


def may_hold_heading(folded: str) -> bool:
    """Whether folded text (``leakcheck.text.fold_lines``) holds a heading such
    as "Attendees:" at all."""
    return _HEADING.search(folded) is not None


# How every heading of ``_HEADING`` ends: looked for first, it is quicker.
_HEADING_END = re.compile(
    r"(?:attendees|attendance|participants|delegates|present|apologies|guests|attended|"
    r"there|list)(?:\s+list)?[ \t*_]*(?::|ー|-|—|–|$)",
    re.MULTILINE,
)


def may_end_heading(folded: str) -> bool:
    """Whether folded text holds how a heading such as "Attendees:" ends: a
    text none of whose lines (or pieces of lines) does holds no heading."""
    return _HEADING_END.search(folded) is not None


def attendee_headings(text: str) -> list[tuple[int, int]]:
    """Each "Attendees:"-like heading (any case, accents or look-alikes) with
    what follows it to the end of its block: the start and end in ``text``."""
    folded, origin = leak_text.fold_lines(text)
    found: list[tuple[int, int]] = []
    for match in _HEADING.finditer(folded):
        begin = match.end()
        while begin < len(folded) and folded[begin] in " \t\n":
            begin += 1  # "## Attendees", a blank line, then the list
        gap = _BLANK_LINE.search(folded, begin)
        stop = gap.start() if gap else len(folded)
        body = folded[begin:stop].split("\n")
        if len(body) > _MAX_LIST_LINES:
            stop = begin + len("\n".join(body[:_MAX_LIST_LINES]))
        if stop <= begin:
            continue
        start, end = origin[match.start(1)], origin[stop - 1] + 1
        found.append(leak_text.trimmed(text, start, end))
    return found
