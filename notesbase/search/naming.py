"""Which items a person's details appear in, for re-indexing them when the
person or their consent changes, with queries of bounded size on every
engine however many people change at once.

A few terms are looked up with ``LIKE`` in the database. Many terms (a bulk
import, a backlog of person changes) would make one query too large for
SQLite ("Expression tree is too large") and many queries too slow, so the
items are read once, in pages, and each text is matched against every term
by the three-letter runs the terms start with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from notesbase.models import Item, Person

T = TypeVar("T")

# At most this many ids in one ``IN (...)`` list: far below SQLite's limit
# on bound values and PostgreSQL's, and small enough to plan quickly.
IDS_PER_QUERY = 500
# Up to this many terms are looked up with LIKE (two conditions each).
LIKE_TERMS = 40
# Items read per page when matching many terms in Python.
ITEMS_PER_PAGE = 1000
_PREFIX = 3


def chunks(values: Iterable[T], size: int = IDS_PER_QUERY) -> Iterator[list[T]]:
    """``values`` sorted, in lists of at most ``size``."""
    ordered = sorted(values)  # type: ignore[type-var]
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def person_terms(name: str, affiliation: str, descriptor: str, email: str | None) -> set[str]:
    """Every string ``disclose`` may withhold or release for a person: the
    items whose text carries one of them read differently when the person's
    consent, name or details change."""
    words = name.split()
    terms = {name, affiliation, descriptor, email or ""}
    if len(words) > 1 and len(words[-1]) >= 3:
        terms.add(words[-1])
    return {term.strip() for term in terms if term and term.strip()}


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def items_naming(session: Session, terms: Iterable[str]) -> set[int]:
    """Items whose body or heading holds any of ``terms`` (ignoring case)."""
    wanted = sorted({term.lower() for term in terms if term})
    if not wanted:
        return set()
    if len(wanted) <= LIKE_TERMS:
        conditions = [
            sa.func.lower(column).like(like_pattern(term), escape="\\")
            for term in wanted
            for column in (Item.body, Item.section)
        ]
        return set(session.scalars(sa.select(Item.id).where(sa.or_(*conditions))))
    return _scan(session, wanted)


def _scan(session: Session, terms: Sequence[str]) -> set[int]:
    """``items_naming`` for many terms: every item read once, a page at a
    time, each text tested only against the terms that start with one of
    its three-letter runs."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    short: list[str] = []
    for term in terms:
        if len(term) < _PREFIX:
            short.append(term)
        else:
            by_prefix[term[:_PREFIX]].append(term)
    found: set[int] = set()
    last = 0
    while True:
        page = session.execute(
            sa.select(Item.id, Item.body, Item.section)
            .where(Item.id > last)
            .order_by(Item.id)
            .limit(ITEMS_PER_PAGE)
        ).all()
        for item_id, body, section in page:
            text = f"{body or ''}\n{section or ''}".lower()
            if _names_any(text, by_prefix, short):
                found.add(item_id)
        if len(page) < ITEMS_PER_PAGE:
            return found
        last = page[-1][0]


def _names_any(text: str, by_prefix: dict[str, list[str]], short: list[str]) -> bool:
    if any(term in text for term in short):
        return True
    runs = {text[i : i + _PREFIX] for i in range(len(text) - _PREFIX + 1)}
    return any(term in text for run in runs.intersection(by_prefix) for term in by_prefix[run])


def items_of_people(session: Session, person_ids: Iterable[int]) -> set[int]:
    """Items a person speaks in, or whose text names them (by full name,
    surname, affiliation, descriptor or email): their consent decides how
    those read."""
    found: set[int] = set()
    terms: set[str] = set()
    for ids in chunks(set(person_ids)):
        found.update(session.scalars(sa.select(Item.id).where(Item.speaker_id.in_(ids))))
        for person in session.scalars(sa.select(Person).where(Person.id.in_(ids))):
            terms |= person_terms(person.name, person.affiliation, person.descriptor, person.email)
    return found | items_naming(session, terms)


def items_spoken_by(session: Session, person_ids: Iterable[int]) -> set[int]:
    """Items whose speaker is one of ``person_ids``."""
    found: set[int] = set()
    for ids in chunks(set(person_ids)):
        found.update(session.scalars(sa.select(Item.id).where(Item.speaker_id.in_(ids))))
    return found
