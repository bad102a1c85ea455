"""Reading the notes file's front matter: series, meeting and people."""

from __future__ import annotations

from typing import Any

import yaml

from notesbase.disclosure.folding import fold
from notesbase.importing.front_matter import PageError, split_page
from notesbase.importing.notices import Notice
from notesbase.notes.notesfile.records import (
    FRONT_MATTER_KEYS,
    PEOPLE_FIELDS,
    NotesFile,
    NotesFileError,
    PersonDetails,
)
from notesbase.text import slugify


def read_front_matter(lines: list[str], notes: NotesFile) -> int:
    """Read the front matter if the file has one; the index of the first body line."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].rstrip() != "---":
        return 0
    closing = next(
        (i for i in range(first + 1, len(lines)) if lines[i].rstrip() in ("---", "...")), None
    )
    if closing is None:
        raise NotesFileError(
            f"the front matter opened on line {first + 1} is never closed: "
            "end it with a '---' line",
            first + 1,
        )
    source = "\n".join(lines[first + 1 : closing])
    try:
        matter = split_page("\n".join(lines[first : closing + 1]))
    except PageError as error:
        raise NotesFileError(error.message, error.line + first if error.line else None) from None
    except yaml.reader.ReaderError as error:  # raised before split_page's own handling
        line = first + 2 + source.count("\n", 0, error.position)
        raise NotesFileError(
            f"the front matter holds a character YAML does not allow ({error.character!r})", line
        ) from None
    for key, occurrences in matter.repeats.items():
        where = " and ".join(str(line + first) for line, _ in occurrences)
        raise NotesFileError(
            f"'{key}' appears more than once (lines {where})", occurrences[-1][0] + first
        )
    for key, line in matter.nested_repeats:
        raise NotesFileError(f"'{key}' appears twice in the same entry", line + first)
    at = {key: line + first for key, line in matter.lines.items()}
    for key in matter.values:
        if key not in FRONT_MATTER_KEYS:
            notes.warnings.append(
                Notice.warning(
                    f"'{key}' is not read from the front matter (only series, meeting, people); "
                    "ignored",
                    at[key],
                )
            )
    notes.series, notes.series_line = _series(matter.values.get("series"), at.get("series"))
    notes.meeting, notes.meeting_line = _meeting(matter.values.get("meeting"), at.get("meeting"))
    notes.people = _people(matter.values.get("people"), at.get("people"), source, first + 2, notes)
    return closing + 1


def _series(raw: Any, line: int | None) -> tuple[str | None, int | None]:
    if raw is None or raw == "":
        return None, None
    value = str(raw).strip()
    if isinstance(raw, dict | list) or slugify(value) != value:
        suggestion = slugify(str(raw)) or "community-of-practice"
        raise NotesFileError(
            f"series '{raw}' is not a series slug: use lowercase letters, digits and hyphens, "
            f"e.g. '{suggestion}'",
            line,
        )
    return value, line


def _meeting(raw: Any, line: int | None) -> tuple[int | None, int | None]:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise NotesFileError(f"meeting '{raw}' is not a meeting number (1, 2, 3, ...)", line)
    return raw, line


def _people(
    raw: Any, line: int | None, source: str, first_line: int, notes: NotesFile
) -> list[PersonDetails]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise NotesFileError("'people' must be a list of '- name: ...' entries", line)
    lines = _entry_lines(source, first_line)
    people: list[PersonDetails] = []
    for index, entry in enumerate(raw):
        where = lines[index] if index < len(lines) else line
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise NotesFileError("each entry under 'people' needs a 'name: ...'", where)
        values: dict[str, str] = {}
        for key, value in entry.items():
            if key not in PEOPLE_FIELDS:
                notes.warnings.append(
                    Notice.warning(
                        f"'{key}' is not a detail of a person "
                        f"({', '.join(PEOPLE_FIELDS)}); ignored",
                        where,
                    )
                )
                continue
            values[str(key)] = _text(value, str(key), where, notes)
        name = " ".join(values.pop("name", "").split())
        if not name:
            raise NotesFileError("an entry under 'people' has no name", where)
        cleaned = {key: " ".join(value.split()) for key, value in values.items()}
        people.append(PersonDetails(name=name, line=where, **cleaned))
    return people


def _entry_lines(source: str, first_line: int) -> list[int]:
    """The file line of each entry of ``people:`` (for messages)."""
    root = yaml.compose(source, Loader=yaml.SafeLoader)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "people" and isinstance(value, yaml.SequenceNode):
                return [node.start_mark.line + first_line for node in value.value]
    return []


def _text(value: Any, key: str, line: int | None, notes: NotesFile) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise NotesFileError(f"the person's '{key}' must be text", line)
    if not isinstance(value, str):
        notes.warnings.append(
            Notice.warning(f"the person's '{key}' {value!r} is not text; read as '{value}'", line)
        )
    return str(value)


def check_people(notes: NotesFile) -> None:
    seen: dict[str, PersonDetails] = {}
    for person in notes.people:
        key = fold(person.name)
        if key in seen:
            raise NotesFileError(
                f"'{person.name}' is listed twice under 'people' "
                f"(lines {seen[key].line} and {person.line})",
                person.line,
            )
        seen[key] = person
    speakers = {fold(item.speaker) for item in notes.items if item.speaker}
    for person in notes.people:
        if fold(person.name) not in speakers:
            notes.warnings.append(
                Notice.warning(
                    f"'{person.name}' is listed under 'people' but speaks in no item; not added",
                    person.line,
                )
            )
