"""The theme overview of a series: which topics came up in which meeting.

Pure: it reads only the meetings the series page already shows (their topics
loaded with them), so it adds no query and shows no reader more than the page
does. No Flask and no database, so the tests can build it from plain objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from notesbase.meetings import timeline


class Themed(Protocol):
    """What the overview reads from a topic."""

    slug: str
    name: str


class ThemedMeeting(timeline.Dated, Protocol):
    """What the overview reads from a meeting, besides its date and status."""

    title: str

    @property
    def topics(self) -> Sequence[Themed]: ...


# How a meeting's cell reads, by the meeting's status key (see
# ``timeline.display_status``): (on the topic, not on it).
CELL_TEXT = {
    "held": ("discussed", "not discussed"),
    "upcoming": ("planned", "not planned"),
    "cancelled": ("planned, but cancelled", "not planned"),
}


@dataclass(frozen=True)
class Column:
    """One meeting, in number order; ``status`` is 'held', 'upcoming' or
    'cancelled' (a past meeting never marked held counts as held)."""

    meeting: ThemedMeeting
    status: str
    status_label: str


@dataclass(frozen=True)
class Cell:
    on_topic: bool
    status: str

    @property
    def text(self) -> str:
        """The cell's state in words, for screen readers and without CSS."""
        on, off = CELL_TEXT[self.status]
        return on if self.on_topic else off


@dataclass(frozen=True)
class Row:
    """One topic: how many of the series' meetings carry it, and a cell per column."""

    topic: Themed
    count: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ThemeOverview:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def has_meetings(self) -> bool:
        return bool(self.columns)

    @property
    def statuses(self) -> frozenset[str]:
        """The statuses among the meetings, so the legend explains only marks in use."""
        return frozenset(c.status for c in self.columns)

    @property
    def is_empty(self) -> bool:
        """Nothing to chart: no meetings, or none with a topic."""
        return not self.rows


def theme_overview(meetings: Iterable[ThemedMeeting], now: datetime) -> ThemeOverview:
    """Rows of topics, most frequent first and then by name; columns of
    meetings by number. A topic's count is every meeting of these that has it."""
    ordered = sorted(meetings, key=lambda m: m.number)
    columns = tuple(_column(m, now) for m in ordered)
    topics: dict[str, Themed] = {}
    on: dict[str, set[int]] = {}
    for meeting in ordered:
        for topic in meeting.topics:
            topics.setdefault(topic.slug, topic)
            on.setdefault(topic.slug, set()).add(meeting.number)
    slugs = sorted(topics, key=lambda s: (-len(on[s]), topics[s].name.casefold(), s))
    rows = tuple(
        Row(
            topic=topics[slug],
            count=len(on[slug]),
            cells=tuple(Cell(c.meeting.number in on[slug], c.status) for c in columns),
        )
        for slug in slugs
    )
    return ThemeOverview(columns=columns, rows=rows)


def _column(meeting: ThemedMeeting, now: datetime) -> Column:
    key, label = timeline.display_status(meeting, now)
    return Column(meeting=meeting, status=key, status_label=label)
