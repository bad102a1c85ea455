"""What a notes file holds, and the error it raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from notesbase.disclosure.folding import fold
from notesbase.disclosure.vocabulary import Confidentiality, Kind
from notesbase.importing.notices import Notice

MAX_FILE_BYTES = 2 * 1024 * 1024
# A meeting's notes run to tens or hundreds of items; a file of a hundred
# thousand one-line items (which 2 MB holds) would tie up the server for
# minutes, so it is refused before anything is written.
MAX_ITEMS = 2_000
INDENT = "    "  # what the formatter puts before every continuation line
MAX_DEDENT = 4  # columns removed from continuation lines; any more is kept, as in Markdown
TAB = 4
PEOPLE_FIELDS = ("name", "affiliation", "descriptor", "email")
FRONT_MATTER_KEYS = ("series", "meeting", "people")

# "Kind", then "(Speaker)" and/or "[confidentiality]" in either order, then ":"
# followed by a space or the end of the line. The speaker is the shortest text
# that lets the rest match, so a name may hold balanced parentheses.
PREFIX = re.compile(
    r"(?P<kind>[^\W\d_]+)[ \t]*"
    r"(?:\((?P<s1>.*?)\)[ \t]*(?:\[(?P<c1>[^\]]*)\][ \t]*)?"
    r"|\[(?P<c2>[^\]]*)\][ \t]*(?:\((?P<s2>.*?)\)[ \t]*)?)?"
    r":(?=[ \t]|$)"
)
HEADING = re.compile(r"(?P<marks>##?)(?:[ \t]+(?P<text>.*))?")
KINDS = {kind.value: kind for kind in Kind}
LEVELS = {level.value: level for level in Confidentiality}


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
