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

from notesbase.notes.notesfile.reading import decode_notes, parse_notes
from notesbase.notes.notesfile.records import (
    MAX_FILE_BYTES,
    NoteItem,
    NotesFile,
    NotesFileError,
    PersonDetails,
)
from notesbase.notes.notesfile.writing import canonical, canonical_body, format_item, format_notes

__all__ = [
    "MAX_FILE_BYTES",
    "NoteItem",
    "NotesFile",
    "NotesFileError",
    "PersonDetails",
    "canonical",
    "canonical_body",
    "decode_notes",
    "format_item",
    "format_notes",
    "parse_notes",
]
