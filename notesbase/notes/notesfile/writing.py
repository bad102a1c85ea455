"""Writing notes back in the notes file format, canonically."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from notesbase.disclosure.vocabulary import Confidentiality, Kind
from notesbase.notes.notesfile.records import (
    INDENT,
    PEOPLE_FIELDS,
    PREFIX,
    NoteItem,
    NotesFile,
    NotesFileError,
    PersonDetails,
)


def canonical_body(body: str) -> str:
    """A body as the file keeps it: ``\\n`` line endings, whitespace-only lines
    empty, no blank lines or whitespace at either end of the text (nothing a
    reader of the Markdown sees). Import then export gives exactly this."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line if line.strip() else "" for line in lines)
    return text.strip("\n").rstrip()


# --- writing -------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Indents list entries under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def format_notes(notes: NotesFile) -> str:
    """The notes file for ``notes``: what ``parse_notes`` reads back equal
    (bodies in canonical form). Raises ``NotesFileError`` for a speaker name
    the prefix cannot carry."""
    out: list[str] = []
    matter: dict[str, Any] = {}
    if notes.series:
        matter["series"] = notes.series
    if notes.meeting is not None:
        matter["meeting"] = notes.meeting
    if notes.people:
        matter["people"] = [
            {key: value for key in PEOPLE_FIELDS if (value := getattr(person, key))}
            for person in notes.people
        ]
    if matter:
        dumped = yaml.dump(
            matter, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000
        )
        out += ["---", dumped.rstrip("\n"), "---", ""]
    title = " ".join(notes.title.split())
    if title:
        out += [f"# {title}", ""]
    section = ""
    for item in notes.items:
        wanted = " ".join(item.section.split())
        if wanted != section:
            out += [f"## {wanted}" if wanted else "##", ""]
            section = wanted
        out += [format_item(item), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def format_item(item: NoteItem) -> str:
    """One item: its prefix and first line, then every other line indented."""
    prefix = Kind(item.kind).label
    speaker = " ".join(item.speaker.split())
    if speaker:
        prefix += f" ({speaker})"
    level = Confidentiality(item.confidentiality)
    if level is not Confidentiality.OPEN:
        prefix += f" [{level.value}]"
    prefix += ":"
    match = PREFIX.match(prefix + " ")  # as the reader will see it: the shortest prefix
    if match is None or match.end() != len(prefix):
        raise NotesFileError(
            f"the speaker name '{speaker}' cannot be written in a notes file "
            "(it contains '):'); rename the person first"
        )
    lines = canonical_body(item.body).split("\n")
    if lines[0][:1] in (" ", "\t"):
        head, rest = prefix, lines
    else:
        head, rest = f"{prefix} {lines[0]}", lines[1:]
    return "\n".join([head, *(INDENT + line if line else "" for line in rest)])


def canonical(notes: NotesFile) -> NotesFile:
    """``notes`` as the file keeps it (what ``parse_notes(format_notes(notes))`` gives)."""
    return replace(
        notes,
        title=" ".join(notes.title.split()),
        people=[
            PersonDetails(*(" ".join(getattr(p, key).split()) for key in PEOPLE_FIELDS))
            for p in notes.people
        ],
        items=[
            replace(
                item,
                body=canonical_body(item.body),
                section=" ".join(item.section.split()),
                speaker=" ".join(item.speaker.split()),
            )
            for item in notes.items
        ],
    )
