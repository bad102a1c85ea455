"""The reader's query language, parsed by hand with bounded cost.

``words`` must all match (in the text or the meeting title); ``"a phrase"``
matches words in order; ``a OR b`` matches either; ``-word`` or ``-"a
phrase"`` excludes; ``pref*`` matches words starting with ``pref`` (at least
three letters, and a bounded number of expansions). ``topic:``, ``kind:``,
``meeting:`` and ``date:`` narrow the search like the form's filters; they are
the only fields anyone may name, so nothing else in the index can be queried.
Any other ``name:`` is read as plain words.

Parsing is linear in the length of the query, which is capped, as is the
number of clauses; anything beyond gets a message, never an error page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from notesbase.disclosure.vocabulary import Kind
from notesbase.text import clean_line

# What ``kind:`` and the kind filter take: the items' kinds, and the
# meeting details and write-ups that are searchable too.
KINDS = {kind.value: kind.label for kind in Kind} | {
    "meeting": "Meeting details",
    "writeup": "Public write-up",
}
MAX_QUERY_LENGTH = 300
MAX_CLAUSES = 16
MIN_PREFIX = 3

_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_FIELD = re.compile(r"^(topic|kind|meeting|date):(.*)$", re.IGNORECASE)
_WORDISH = re.compile(r"\w", re.UNICODE)


class QueryError(ValueError):
    """The query cannot be run; the message is shown to the reader as it is."""


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    text: str


Term = Word | Phrase | Prefix


@dataclass(frozen=True)
class AnyOf:
    """Terms joined by OR: any one of them will do."""

    options: tuple[Term, ...]


Clause = Term | AnyOf


@dataclass(frozen=True)
class Filters:
    """Narrowing that is not about words: the form's filters and field
    queries. ``review`` holds review states (``review_states``), which the
    search makes ``meetings``: the only meetings whose documents it may
    find (None: no such limit; empty: nothing)."""

    series: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    number_from: int | None = None
    number_to: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    review: tuple[str, ...] = ()
    meetings: frozenset[int] | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.series
            or self.topics
            or self.kinds
            or self.number_from is not None
            or self.number_to is not None
            or self.date_from is not None
            or self.date_to is not None
            or bool(self.review)
        )


@dataclass(frozen=True)
class ParsedQuery:
    required: tuple[Clause, ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: Filters = field(default_factory=Filters)

    @property
    def empty(self) -> bool:
        return not self.required and not self.filters.any


def parse(text: str, filters: Filters | None = None) -> ParsedQuery:
    """Parse ``text`` under the given form ``filters``; raise ``QueryError``
    with a message for the reader when it cannot be searched."""
    filters = filters or Filters()
    # The same form as stored text (NFC, no invisible characters), so a
    # decomposed "José" finds the precomposed one and the other way round.
    text = clean_line(text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"That search is too long: keep it under {MAX_QUERY_LENGTH} characters.")
    required: list[Clause] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negate, quoted, bare = match.group(1), match.group(2), match.group(3)
        if quoted is None and bare == "OR":
            pending_or = bool(required)
            continue
        if quoted is None:
            field_match = _FIELD.match(bare)
            if field_match and not negate:
                filters = _apply_field(filters, field_match.group(1).lower(), field_match.group(2))
                pending_or = False
                continue
        term = _term(quoted, bare)
        if term is None:
            continue
        if negate:
            excluded.append(term)
        elif pending_or and required:
            previous = required.pop()
            options = previous.options if isinstance(previous, AnyOf) else (previous,)
            required.append(AnyOf((*options, term)))
        else:
            required.append(term)
        pending_or = False
        parts = sum(len(c.options) if isinstance(c, AnyOf) else 1 for c in required)
        if parts + len(excluded) > MAX_CLAUSES:
            raise QueryError(f"That search has too many parts: use at most {MAX_CLAUSES} words.")
    if excluded and not required and not filters.any:
        raise QueryError("Add a word to look for, not only words to leave out.")
    return ParsedQuery(tuple(required), tuple(excluded), filters)


def _term(quoted: str | None, bare: str | None) -> Term | None:
    if quoted is not None:
        words = tuple(w for w in re.split(r"\W+", quoted.lower()) if w)
        if not words:
            return None
        return Phrase(words) if len(words) > 1 else Word(words[0])
    assert bare is not None
    if bare.endswith("*"):
        stem = bare.rstrip("*").lower()
        stem = re.sub(r"\W+", "", stem)
        if len(stem) < MIN_PREFIX:
            raise QueryError(f"Give at least {MIN_PREFIX} letters before * (for example consult*).")
        return Prefix(stem)
    if not _WORDISH.search(bare):
        return None
    words = tuple(w for w in re.split(r"\W+", bare.lower()) if w)
    if len(words) > 1:  # "e-mail", "data:driven": keep the parts together
        return Phrase(words)
    return Word(words[0]) if words else None


def _apply_field(filters: Filters, name: str, value: str) -> Filters:
    value = value.strip()
    if not value:
        raise QueryError(f"Say which {name} after {name}:")
    if name == "topic":
        return replace(filters, topics=(*filters.topics, value.lower()))
    if name == "kind":
        if value.lower() not in KINDS:
            raise QueryError(f"Kind must be one of: {', '.join(KINDS)}.")
        return replace(filters, kinds=(*filters.kinds, value.lower()))
    if name == "meeting":
        low, high = parse_range(value, int, "meeting numbers like meeting:10 or meeting:8-12")
        return replace(filters, number_from=low, number_to=high)
    low_date, high_date = parse_date_range(value)
    return replace(filters, date_from=low_date, date_to=high_date)


def parse_range(value: str, kind: type[int], example: str) -> tuple[int | None, int | None]:
    low, _, high = value.partition("-") if "-" in value else (value, "", value)
    try:
        first = kind(low) if low else None
        last = kind(high) if high else None
    except ValueError:
        raise QueryError(f"Use {example}.") from None
    for number in (first, last):
        if number is not None and not 1 <= number <= 2**31 - 1:
            raise QueryError(f"Use {example}.")
    return first, last


def parse_date(value: str, *, end: bool = False) -> date:
    """``2025``, ``2025-03`` or ``2025-03-14``; a year or month means its
    first day, or its last when ``end``."""
    parts = value.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return date(numbers[0], 12, 31) if end else date(numbers[0], 1, 1)
        if len(numbers) == 2:
            year, month = numbers
            if end:
                following = date(year + (month == 12), month % 12 + 1, 1)
                return date.fromordinal(following.toordinal() - 1)
            return date(year, month, 1)
        if len(numbers) == 3:
            return date(*numbers)
    except (ValueError, OverflowError):
        pass
    raise QueryError("Write dates as 2025, 2025-03 or 2025-03-14.")


def parse_date_range(value: str) -> tuple[date | None, date | None]:
    low, sep, high = value.partition("..")
    if not sep:
        return parse_date(value), parse_date(value, end=True)
    return (parse_date(low) if low else None, parse_date(high, end=True) if high else None)
