"""The plain notes file: a meeting's notes typed live in Markdown, read into
``NotesFile`` and written back. Pure (no Flask, no database), so the format is
tested on its own; ``notes_import`` puts what it reads into the database.

The format is documented in the README ("The notes file format"). In short:
optional YAML front matter (``series``, ``meeting``, ``people``), an optional
``# title`` line, ``## section`` headings, and one item per paragraph, each
optionally starting ``Kind (Speaker) [confidentiality]:``; later paragraphs of
an item are indented. ``format_notes`` indents every continuation line, so
``parse_notes(format_notes(notes)) == notes`` for any notes in canonical form
(see ``canonical_body``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from notesbase.disclosure.matching import fold
from notesbase.disclosure.vocabulary import Confidentiality, Kind
from notesbase.importing.front_matter import PageError, split_page
from notesbase.importing.notices import Notice
from notesbase.text import slugify

MAX_FILE_BYTES = 2 * 1024 * 1024
INDENT = "    "  # what the formatter puts before every continuation line
MAX_DEDENT = 4  # columns removed from continuation lines; any more is kept, as in Markdown
TAB = 4
PEOPLE_FIELDS = ("name", "affiliation", "descriptor", "email")
FRONT_MATTER_KEYS = ("series", "meeting", "people")

# "Kind", then "(Speaker)" and/or "[confidentiality]" in either order, then ":"
# followed by a space or the end of the line. The speaker is the shortest text
# that lets the rest match, so a name may hold balanced parentheses.
_PREFIX = re.compile(
    r"(?P<kind>[^\W\d_]+)[ \t]*"
    r"(?:\((?P<s1>.*?)\)[ \t]*(?:\[(?P<c1>[^\]]*)\][ \t]*)?"
    r"|\[(?P<c2>[^\]]*)\][ \t]*(?:\((?P<s2>.*?)\)[ \t]*)?)?"
    r":(?=[ \t]|$)"
)
_HEADING = re.compile(r"(?P<marks>##?)(?:[ \t]+(?P<text>.*))?")
_KINDS = {kind.value: kind for kind in Kind}
_LEVELS = {level.value: level for level in Confidentiality}


class NotesFileError(ValueError):
    """The file cannot be imported; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class PersonDetails:
    """What the front matter's ``people:`` says about one speaker."""

    name: str
    affiliation: str = ""
    descriptor: str = ""
    email: str = ""
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NoteItem:
    """One item as the file gives it; ``speaker`` is a name ("" for none)."""

    kind: Kind
    body: str
    section: str = ""
    speaker: str = ""
    confidentiality: Confidentiality = Confidentiality.OPEN
    line: int | None = field(default=None, compare=False)
    section_line: int | None = field(default=None, compare=False)


@dataclass
class NotesFile:
    """Everything a notes file says; line numbers and warnings are not compared."""

    series: str | None = None
    meeting: int | None = None
    title: str = ""
    people: list[PersonDetails] = field(default_factory=list)
    items: list[NoteItem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list, compare=False)
    series_line: int | None = field(default=None, compare=False)
    meeting_line: int | None = field(default=None, compare=False)
    title_line: int | None = field(default=None, compare=False)

    def details_for(self, name: str) -> PersonDetails | None:
        wanted = fold(name)
        return next((p for p in self.people if fold(p.name) == wanted), None)


# --- reading -------------------------------------------------------------------------


def decode_notes(data: bytes | str) -> str:
    """The file as text with ``\\n`` line endings and no BOM; refuses a file over
    2 MB, bytes that are not UTF-8 and NUL characters, naming the line."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > MAX_FILE_BYTES:
        raise NotesFileError(
            f"the file is {size / 1024 / 1024:.1f} MB; a notes file is at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            byte = data[error.start : error.start + 1].hex()
            raise NotesFileError(
                f"not UTF-8 text (byte 0x{byte}): save the file as UTF-8", line
            ) from None
    else:
        text = data
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise NotesFileError(
            "the file holds a NUL character", text.count("\n", 0, text.index("\x00")) + 1
        )
    return text


def parse_notes(data: bytes | str) -> NotesFile:
    """Read a notes file; raise ``NotesFileError`` (with a line) for anything
    that cannot be imported, warn (``NotesFile.warnings``) for what was guessed."""
    lines = decode_notes(data).split("\n")
    notes = NotesFile()
    start = _read_front_matter(lines, notes)
    _read_body(lines, start, notes)
    if not notes.items:
        raise NotesFileError("the file has no items: write each item as a paragraph")
    _check_people(notes)
    notes.warnings.sort(key=lambda n: n.line or 0)
    return notes


def _read_front_matter(lines: list[str], notes: NotesFile) -> int:
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


def _check_people(notes: NotesFile) -> None:
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


@dataclass
class _Draft:
    """An item being read: its first line's text and the lines that continue it."""

    line: int
    kind: Kind
    speaker: str
    confidentiality: Confidentiality
    section: str
    section_line: int | None
    first: str
    more: list[str] = field(default_factory=list)


def _read_body(lines: list[str], start: int, notes: NotesFile) -> None:
    section, section_line = "", None
    draft: _Draft | None = None
    after_blank = True
    for index in range(start, len(lines)):
        number, line = index + 1, lines[index]
        if not line.strip():
            if draft is not None:
                draft.more.append("")
            after_blank = True
            continue
        heading = _HEADING.fullmatch(line.rstrip())
        if heading:
            _finish(draft, notes)
            draft = None
            text = " ".join((heading["text"] or "").split())
            is_title = not notes.items and section_line is None and notes.title_line is None
            if heading["marks"] == "#" and is_title:
                notes.title, notes.title_line = text, number
                after_blank = False
                continue
            if heading["marks"] == "#":
                notes.warnings.append(
                    Notice.warning(
                        "'# ' marks the title (once, before the items); read as a section "
                        "heading: write sections as '## heading'",
                        number,
                    )
                )
            section, section_line = text, number
            after_blank = False
            continue
        indent = _width(line)
        if draft is not None and (not after_blank or indent >= 2):
            if not after_blank and indent == 0 and _starts_like_item(line):
                # Never let a kind or a confidentiality vanish into the item above.
                raise NotesFileError(
                    "this line starts like a new item but follows the line above with no "
                    "blank line: leave a blank line before it to start a new item, or indent "
                    "it to keep it in the item above",
                    number,
                )
            draft.more.append(line)
            after_blank = False
            continue
        if indent:
            notes.warnings.append(
                Notice.warning(
                    "indented, but there is no item above to continue; read as a new item"
                    if draft is None
                    else "indented by one space: read as a new item (indent by 2 or more "
                    "spaces to continue the item above)",
                    number,
                )
            )
        _finish(draft, notes)
        draft = _start(line.lstrip(" \t"), number, section, section_line, notes)
        after_blank = False
    _finish(draft, notes)


def _starts_like_item(line: str) -> bool:
    match = _PREFIX.match(line)
    return match is not None and (
        match["kind"].lower() in _KINDS or match["kind"].lower() in _LEVELS
    )


def _start(
    text: str, number: int, section: str, section_line: int | None, notes: NotesFile
) -> _Draft:
    """Read the ``Kind (Speaker) [confidentiality]:`` prefix of an item's first line."""
    match = _PREFIX.match(text)
    if match is None:
        if text.startswith("#"):
            notes.warnings.append(
                Notice.warning("only '## ' starts a section; read as a point", number)
            )
        elif text.rstrip() == "---":
            notes.warnings.append(
                Notice.warning(
                    "a '---' line is read as a point (front matter must open the file)", number
                )
            )
        return _Draft(number, Kind.POINT, "", Confidentiality.OPEN, section, section_line, text)
    word = match["kind"]
    kind = _KINDS.get(word.lower())
    if kind is None:
        raise NotesFileError(_unknown_kind(word), number)
    speaker_raw = match["s1"] if match["s1"] is not None else match["s2"]
    speaker = " ".join((speaker_raw or "").split())
    if speaker_raw is not None and not speaker:
        notes.warnings.append(Notice.warning("empty '()': the item has no speaker", number))
    level_raw = match["c1"] if match["c1"] is not None else match["c2"]
    level = Confidentiality.OPEN
    if level_raw is not None:
        found = _LEVELS.get(level_raw.strip().lower())
        if found is None:
            raise NotesFileError(
                f"'[{level_raw}]' is not a confidentiality: write [open], [members] "
                "or [confidential]",
                number,
            )
        level = found
    rest = text[match.end() :].lstrip(" \t")
    return _Draft(number, kind, speaker, level, section, section_line, rest)


def _unknown_kind(word: str) -> str:
    kinds = ", ".join(k.value for k in Kind)
    if word.lower() in _LEVELS:
        return (
            f"'{word}' is a confidentiality, not a kind: write it in brackets after the "
            f"kind, e.g. 'Point [{word.lower()}]: ...'"
        )
    return (
        f"'{word}:' is not a kind of item ({kinds}); to keep '{word}:' as text, start the "
        f"paragraph with 'Point: {word}: ...'"
    )


def _finish(draft: _Draft | None, notes: NotesFile) -> None:
    if draft is None:
        return
    more = draft.more
    indents = [_width(line) for line in more if line.strip() and _width(line) >= 1]
    cut = min([MAX_DEDENT, *indents])
    body = canonical_body("\n".join([draft.first, *(_dedent(line, cut) for line in more)]))
    if not body:
        raise NotesFileError("the item has no text after its 'Kind:'", draft.line)
    notes.items.append(
        NoteItem(
            kind=draft.kind,
            body=body,
            section=draft.section,
            speaker=draft.speaker,
            confidentiality=draft.confidentiality,
            line=draft.line,
            section_line=draft.section_line,
        )
    )


def _width(line: str) -> int:
    """Columns of leading spaces and tabs (a tab moves to the next multiple of 4)."""
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column = (column // TAB + 1) * TAB
        else:
            break
    return column


def _dedent(line: str, columns: int) -> str:
    """``line`` without its first ``columns`` columns of indentation."""
    column = 0
    for index, char in enumerate(line):
        if column >= columns or char not in " \t":
            return " " * (column - columns) + line[index:]
        column = column + 1 if char == " " else (column // TAB + 1) * TAB
    return ""


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
    match = _PREFIX.match(prefix + " ")  # as the reader will see it: the shortest prefix
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
