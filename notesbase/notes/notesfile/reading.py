"""Reading a notes file: decoding, then sections and items paragraph by paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field

from notesbase.disclosure.vocabulary import Confidentiality, Kind
from notesbase.importing.notices import Notice
from notesbase.notes.notesfile.front import check_people, read_front_matter
from notesbase.notes.notesfile.records import (
    HEADING,
    KINDS,
    LEVELS,
    MAX_DEDENT,
    MAX_FILE_BYTES,
    MAX_ITEMS,
    PREFIX,
    TAB,
    NoteItem,
    NotesFile,
    NotesFileError,
)
from notesbase.notes.notesfile.writing import canonical_body


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
    start = read_front_matter(lines, notes)
    _read_body(lines, start, notes)
    if not notes.items:
        raise NotesFileError("the file has no items: write each item as a paragraph")
    if len(notes.items) > MAX_ITEMS:
        raise NotesFileError(
            f"the file has {len(notes.items):,} items; a notes file holds at most {MAX_ITEMS:,}",
            notes.items[MAX_ITEMS].line,
        )
    check_people(notes)
    notes.warnings.sort(key=lambda n: n.line or 0)
    return notes


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
        heading = HEADING.fullmatch(line.rstrip())
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
    match = PREFIX.match(line)
    return match is not None and (match["kind"].lower() in KINDS or match["kind"].lower() in LEVELS)


def _start(
    text: str, number: int, section: str, section_line: int | None, notes: NotesFile
) -> _Draft:
    """Read the ``Kind (Speaker) [confidentiality]:`` prefix of an item's first line."""
    match = PREFIX.match(text)
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
    kind = KINDS.get(word.lower())
    if kind is None:
        raise NotesFileError(_unknown_kind(word), number)
    speaker_raw = match["s1"] if match["s1"] is not None else match["s2"]
    speaker = " ".join((speaker_raw or "").split())
    if speaker_raw is not None and not speaker:
        notes.warnings.append(Notice.warning("empty '()': the item has no speaker", number))
    level_raw = match["c1"] if match["c1"] is not None else match["c2"]
    level = Confidentiality.OPEN
    if level_raw is not None:
        found = LEVELS.get(level_raw.strip().lower())
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
    if word.lower() in LEVELS:
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
