"""What ``disclose`` reads and what it returns: plain frozen records, so the
rule can be tested without Flask or a database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from notesbase.disclosure.vocabulary import Audience, Confidentiality, ConsentAudience, Kind, Level


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str
    affiliation: str = ""
    descriptor: str = ""
    email: str | None = None


@dataclass(frozen=True)
class Grant:
    """One consent record; withdrawn ones are history and count for nothing."""

    person_id: int
    audience: ConsentAudience
    level: Level
    granted_at: datetime
    series_id: int | None = None
    meeting_id: int | None = None
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class ItemFacts:
    id: int
    position: int
    kind: Kind
    body: str
    confidentiality: Confidentiality
    section: str = ""
    speaker_id: int | None = None
    version: int = 1


@dataclass(frozen=True)
class Notes:
    """A meeting's items, and everyone and every grant that bears on them.
    ``people`` should hold every person a body might mention, not only the
    speakers: their names are kept out of views they are not released to."""

    series_id: int
    meeting_id: int
    items: Sequence[ItemFacts]
    people: Sequence[PersonFacts]
    grants: Sequence[Grant] = ()


@dataclass(frozen=True)
class DisclosedItem:
    """An item as one audience sees it. ``body``, ``speaker_id`` and
    ``confidentiality`` are filled for facilitators only."""

    id: int
    version: int
    position: int
    section: str
    kind: Kind
    body_html: str
    body_text: str
    attribution: str | None
    body: str | None = None
    speaker_id: int | None = None
    confidentiality: Confidentiality | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[DisclosedItem, ...]


@dataclass(frozen=True)
class NotesView:
    audience: Audience
    items: tuple[DisclosedItem, ...] = field(default=())

    @property
    def sections(self) -> list[Section]:
        """Consecutive items under the same heading, in order."""
        groups: list[Section] = []
        for item in self.items:
            if groups and groups[-1].heading == item.section:
                last = groups.pop()
                groups.append(Section(last.heading, (*last.items, item)))
            else:
                groups.append(Section(item.section, (item,)))
        return groups

    def text(self) -> str:
        """Every piece of text the view carries, for checks and search."""
        parts: list[str] = []
        for item in self.items:
            parts.extend([item.section, item.body_text, item.attribution or "", item.body_html])
            if item.body is not None:
                parts.append(item.body)
        return "\n".join(parts)
