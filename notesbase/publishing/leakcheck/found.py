"""What a leak check found in one channel's output, one entry per rule,
words and place, before its overrides are looked up; and the same as plain
rows, so a result can be kept (``leakcheck.stored``) and given back exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from notesbase.publishing.leakcheck.keys import match_key
from notesbase.publishing.leakcheck.places import Place

Row = list[Any]  # [where, ident, item_id, version, rule, match, why, parts, people]


@dataclass
class Seen:
    place: Place
    rule: str
    match: str
    why: str
    parts: list[str] = field(default_factory=list)
    people: list[int] = field(default_factory=list)


class Found:
    """What the check found, one entry per rule, words and place, in the
    order first found."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str], Seen] = {}

    def add(
        self,
        places: Sequence[Place],
        rule: str,
        match: str,
        why: str,
        part: str,
        people: Sequence[int] = (),
    ) -> None:
        """The same words found at each of ``places`` (a common first name
        may be at hundreds: its key is worked out once)."""
        words = match_key(match)
        for place in places:
            key = (rule, words, place.ident)
            seen = self.seen.get(key)
            if seen is None:
                seen = self.seen[key] = Seen(place, rule, match, why)
            if part not in seen.parts:
                seen.parts.append(part)
            seen.people.extend(person for person in people if person not in seen.people)

    def rows(self) -> list[Row]:
        """Every entry as plain values, in order (``from_rows`` gives them back)."""
        rows: list[Row] = []
        for s in self.seen.values():
            place = s.place
            rows.append([place.where, place.ident, place.item_id, place.version, s.rule])
            rows[-1] += [s.match, s.why, list(s.parts), list(s.people)]
        return rows

    @classmethod
    def from_rows(cls, rows: Sequence[Row]) -> Found:
        """What ``rows`` made it from held; raises ``ValueError`` on rows of
        any other shape."""
        found = cls()
        for row in rows:
            if not isinstance(row, list) or len(row) != 9:
                raise ValueError("not a row of found things")
            where, ident, item_id, version, rule, match, why, parts, people = row
            place = Place(str(where), str(ident), _whole(item_id), _whole(version))
            seen = Seen(place, str(rule), str(match), str(why))
            seen.parts = [str(part) for part in parts]
            seen.people = [int(person) for person in people]
            found.seen[(seen.rule, match_key(seen.match), place.ident)] = seen
        return found


def _whole(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    return value
