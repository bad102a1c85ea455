"""Importing a meeting's notes from the plain notes file format, and
exporting them back to it (see ``notesfile`` for the format). Everything is
read and checked before anything is written; the writing happens in one
SAVEPOINT through the item and person services (which audit each change)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import selectinload

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure.folding import fold
from notesbase.importing.notices import Notice
from notesbase.models import Item, Meeting, Member, Person
from notesbase.notes import items as item_service
from notesbase.notes import people as people_service
from notesbase.notes.errors import NotesError
from notesbase.notes.notesfile import (
    NoteItem,
    NotesFile,
    NotesFileError,
    PersonDetails,
    format_notes,
    parse_notes,
)

__all__ = [
    "ImportMode",
    "ImportResult",
    "MeetingHasNotes",
    "NotesFileError",
    "export_notes",
    "import_notes",
    "notes_file_for",
]


class ImportMode(enum.StrEnum):
    """What to do when the meeting already has notes."""

    REFUSE = "refuse"  # only into a meeting without items
    APPEND = "append"  # after the items already there
    REPLACE = "replace"  # delete the items there first


@dataclass
class ImportResult:
    items_created: int = 0
    items_deleted: int = 0
    people_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Speakers found among the people already recorded (names as stored).
    people_matched: list[str] = field(default_factory=list)


class MeetingHasNotes(NotesFileError):
    """Refused: the meeting already has items and the mode is ``REFUSE``."""

    def __init__(self, meeting: Meeting, count: int) -> None:
        super().__init__(
            f"meeting {meeting.number} of {meeting.series.slug} already has {count} "
            f"item{'s' if count != 1 else ''}: choose to append after them or to replace them"
        )
        self.count = count


# A speaker is either a person already recorded or the details of one to create.
_Speaker = Person | people_service.PersonFields


def import_notes(
    meeting: Meeting, text: str, *, actor: Member | None, mode: ImportMode = ImportMode.REFUSE
) -> ImportResult:
    """Add the notes in ``text`` to ``meeting`` (flushes; the caller commits).
    All or nothing: raises NotesFileError before changing anything."""
    mode = ImportMode(mode)
    notes = parse_notes(text)
    result = ImportResult(warnings=[_say(n) for n in notes.warnings])
    _check_target(meeting, notes, result)
    existing = item_service.meeting_items_for_update(meeting)
    if existing and mode is ImportMode.REFUSE:
        raise MeetingHasNotes(meeting, len(existing))
    speakers = _plan_speakers(notes, result)
    planned = [_checked(item) for item in notes.items]
    try:
        with db.session.begin_nested():
            if mode is ImportMode.REPLACE:
                for item in existing:
                    item_service.delete_item(item, actor=actor)
                result.items_deleted = len(existing)
            people: dict[str, Person] = {}
            for key, speaker in speakers.items():
                if isinstance(speaker, Person):
                    people[key] = speaker
                else:
                    people[key] = people_service.create_person(speaker, actor=actor)
            for note, fields in zip(notes.items, planned, strict=True):
                if note.speaker:
                    fields.speaker_id = people[fold(note.speaker)].id
                item_service.create_item(meeting, fields, actor=actor)
            audit.record(
                "notes.import",
                "meeting",
                meeting.id,
                actor=actor,
                meeting_id=meeting.id,
                mode=mode.value,
                items_created=len(planned),
                items_deleted=result.items_deleted,
                people_created=len(result.people_created),
            )
    except NotesError as error:
        raise NotesFileError(error.message) from None
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        raise NotesFileError(f"the database refused the import: {reason}") from None
    result.items_created = len(planned)
    return result


def _say(notice: Notice) -> str:
    return f"line {notice.line}: {notice.message}" if notice.line else notice.message


def _check_target(meeting: Meeting, notes: NotesFile, result: ImportResult) -> None:
    """Warn when the file names another meeting or title than the one imported into."""
    slug = meeting.series.slug
    if (notes.series is not None and notes.series != slug) or (
        notes.meeting is not None and notes.meeting != meeting.number
    ):
        named = f"meeting {notes.meeting or meeting.number} of {notes.series or slug}"
        result.warnings.append(
            _say(
                Notice.warning(
                    f"the file is the notes of {named}; imported into meeting "
                    f"{meeting.number} of {slug} as asked",
                    notes.meeting_line or notes.series_line,
                )
            )
        )
    if notes.title and fold(notes.title) != fold(meeting.title):
        result.warnings.append(
            _say(
                Notice.warning(
                    f"the title '{notes.title}' is not the meeting's title "
                    f"'{meeting.title}'; the meeting keeps its title",
                    notes.title_line,
                )
            )
        )


def _plan_speakers(notes: NotesFile, result: ImportResult) -> dict[str, _Speaker]:
    """For each speaker (by folded name): the person recorded under that name,
    or the checked details of a new one. Ambiguous names are an error."""
    recorded: dict[str, list[Person]] = {}
    for person in db.session.scalars(sa.select(Person).order_by(Person.id)):
        recorded.setdefault(fold(person.name), []).append(person)
    plan: dict[str, _Speaker] = {}
    for item in notes.items:
        key = fold(item.speaker)
        if not item.speaker or key in plan:
            continue
        details = notes.details_for(item.speaker)
        matches = recorded.get(key, [])
        if len(matches) > 1:
            raise NotesFileError(
                f"the speaker '{item.speaker}' matches {len(matches)} people already "
                f"recorded (ids {', '.join(str(p.id) for p in matches)}): rename one of "
                "them first",
                item.line,
            )
        if matches:
            plan[key] = matches[0]
            result.people_matched.append(matches[0].name)
            if details is not None:
                _warn_differences(matches[0], details, result)
            continue
        fields = people_service.PersonFields(
            name=details.name if details else item.speaker,
            affiliation=details.affiliation if details else "",
            descriptor=details.descriptor if details else "",
            email=(details.email or None) if details else None,
        )
        try:
            plan[key] = people_service.check_fields(fields)
        except NotesError as error:
            line = details.line if details else item.line
            raise NotesFileError(f"{fields.name}: {error.message}", line) from None
        result.people_created.append(plan[key].name)
    return plan


def _warn_differences(person: Person, details: PersonDetails, result: ImportResult) -> None:
    for key in ("affiliation", "descriptor", "email"):
        given = getattr(details, key)
        stored = getattr(person, key) or ""
        if given and fold(given) != fold(stored):
            result.warnings.append(
                _say(
                    Notice.warning(
                        f"{person.name} is already recorded with {key} "
                        f"'{stored or '(none)'}'; the file's '{given}' was not applied",
                        details.line,
                    )
                )
            )


def _checked(item: NoteItem) -> item_service.ItemFields:
    """The item's fields as the item service takes them, or an error naming its line."""
    fields = item_service.ItemFields(
        kind=item.kind,
        body=item.body,
        section=item.section,
        confidentiality=item.confidentiality,
    )
    try:
        return item_service.check_fields(fields)
    except NotesError as error:
        line = item.section_line if error.field == "section" else item.line
        raise NotesFileError(error.message, line) from None


def notes_file_for(meeting: Meeting) -> NotesFile:
    """The meeting's notes as a ``NotesFile``: every item in order, raw, and
    the details of every speaker."""
    items = db.session.scalars(
        sa.select(Item)
        .where(Item.meeting_id == meeting.id)
        .order_by(Item.position, Item.id)
        .options(selectinload(Item.speaker))
    ).all()
    people: dict[int, PersonDetails] = {}
    for item in items:
        person = item.speaker
        if person is not None and person.id not in people:
            people[person.id] = PersonDetails(
                name=person.name,
                affiliation=person.affiliation or "",
                descriptor=person.descriptor or "",
                email=person.email or "",
            )
    return NotesFile(
        series=meeting.series.slug,
        meeting=meeting.number,
        title=meeting.title,
        people=list(people.values()),
        items=[
            NoteItem(
                kind=item.kind,
                body=item.body,
                section=item.section,
                speaker=item.speaker.name if item.speaker is not None else "",
                confidentiality=item.confidentiality,
            )
            for item in items
        ],
    )


def export_notes(meeting: Meeting) -> str:
    """The meeting's notes (every item, raw, for facilitators) in the notes
    file format; importing it into an empty meeting gives the same notes.
    Raises NotesFileError for a speaker name the format cannot carry."""
    return format_notes(notes_file_for(meeting))
