"""Which items an erasure touches and what becomes of each: the items that
credit the person (as speaker, now or in an earlier version) and those that
name them anywhere in their text or history, found by reading every item
(``item_mentions`` may be stale), and the choice made for each."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure.facts import PersonFacts
from notesbase.models import Item, ItemRevision, Meeting, Person, Series
from notesbase.privacy.erasure.texts import any_names


class Choice(enum.StrEnum):
    """What becomes of one item."""

    REMOVE = "remove"
    ANONYMISE = "anonymise"

    @property
    def label(self) -> str:
        return {"remove": "Remove the item", "anonymise": "Keep the words, anonymised"}[self.value]


CHOICES = [c.value for c in Choice]


class ErasureError(Exception):
    """A refusal the caller can fix: ``status`` 404 or 422, ``field`` names what."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PlannedItem:
    """One item the erasure touches. ``credits``: the person spoke it (now
    or in an earlier version); otherwise it only names them."""

    item_id: int
    series_title: str
    meeting_number: int
    position: int
    credits: bool
    choice: Choice


def choice_of(value: object, field: str) -> Choice:
    """``value`` as a choice, or a 422 naming the choices."""
    if isinstance(value, str) and value.strip().lower() in CHOICES:
        return Choice(value.strip().lower())
    raise ErasureError(422, f"Choose {' or '.join(CHOICES)} (not {str(value)[:40]!r}).", field)


def _credited(person: Person) -> set[int]:
    current = sa.select(Item.id).where(Item.speaker_id == person.id)
    earlier = sa.select(ItemRevision.item_id).where(ItemRevision.speaker_id == person.id)
    return set(db.session.scalars(current)) | set(db.session.scalars(earlier))


def _named(facts: PersonFacts, skip: set[int]) -> set[int]:
    """Items whose current text or any earlier version names the person."""
    texts: dict[int, list[str]] = {}
    for item_id, body, section in db.session.execute(sa.select(Item.id, Item.body, Item.section)):
        texts.setdefault(item_id, []).extend((section, body))
    revisions = sa.select(ItemRevision.item_id, ItemRevision.body, ItemRevision.section)
    for item_id, body, section in db.session.execute(revisions):
        texts.setdefault(item_id, []).extend((section, body))
    return {i for i, parts in texts.items() if i not in skip and any_names(parts, facts)}


def plan(
    person: Person,
    facts: PersonFacts,
    default: Choice = Choice.ANONYMISE,
    overrides: Mapping[int, Choice] | None = None,
) -> list[PlannedItem]:
    """Every item the erasure of ``person`` touches, with its choice: an
    override if given, else ``default`` for the items that credit them and
    ``anonymise`` for those that only name them. An override for an item
    that is not touched is a 422."""
    credited = _credited(person)
    touched = credited | _named(facts, credited)
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - touched)
    if unknown:
        raise ErasureError(
            422,
            f"Item {unknown[0]} neither credits nor names this person: leave it out.",
            "items",
        )
    rows = db.session.execute(
        sa.select(Item.id, Item.position, Meeting.number, Series.title)
        .join(Meeting, Meeting.id == Item.meeting_id)
        .join(Series, Series.id == Meeting.series_id)
        .where(Item.id.in_(sorted(touched)))
        .order_by(Series.title, Meeting.number, Item.position, Item.id)
    )
    return [
        PlannedItem(
            item_id=item_id,
            series_title=title,
            meeting_number=number,
            position=position,
            credits=item_id in credited,
            choice=overrides.get(item_id, default if item_id in credited else Choice.ANONYMISE),
        )
        for item_id, position, number, title in rows
    ]


def parse_overrides(raw: Mapping[object, object]) -> dict[int, Choice]:
    """Per-item choices as sent (``{"12": "remove"}``): ids and choices
    checked, a 422 naming the first that is wrong."""
    overrides: dict[int, Choice] = {}
    for key, value in raw.items():
        text = str(key).strip()
        if not (text.isascii() and text.isdigit() and len(text) < 12):
            raise ErasureError(422, f"{text[:40]!r} is not an item id.", "items")
        overrides[int(text)] = choice_of(value, f"items.{text}")
    return overrides
