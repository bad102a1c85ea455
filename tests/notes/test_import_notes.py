"""Importing and exporting a meeting's notes file, in the database and through
``notesbase import notes`` / ``notesbase export notes``: speakers matched or
created, modes, all or nothing, dry runs, and export → import without loss."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import AuditEvent, Item, Meeting, Person
from notesbase.notes.items import BODY_MAX, ItemFields, create_item
from notesbase.notes.notes_import import (
    ImportMode,
    MeetingHasNotes,
    NotesFileError,
    export_notes,
    import_notes,
)
from notesbase.notes.people import PersonFields, create_person

EXAMPLE = """\
---
series: cop
meeting: 10
people:
  - name: Jane Doe
    affiliation: Open Data Manchester
    descriptor: a local authority data lead
    email: jane@example.org
---

# Tenth meeting

## Opening round

Point: We agreed to meet in person next time.

Quote (Jane Doe): "Data without context is noise."

Action [members]: Circulate the slides before the next meeting.

Decision (Jane Doe) [confidential]: The pilot goes ahead with
the council, and [the budget is £40k]{.confidential}.

    A second paragraph of the same item is indented (2+ spaces).

A paragraph with no "Kind:" prefix is a point.
"""


@pytest.fixture
def meetings(app, make_series) -> dict[int, int]:
    """Meetings 10 and 11 of series 'cop' (ids by number), with no notes."""
    series = make_series("cop")
    with app.app_context():
        found = {}
        for number in (10, 11):
            meeting = Meeting(
                series_id=series.id,
                number=number,
                title="Tenth meeting" if number == 10 else "Eleventh meeting",
                date=date(2025, 7, number),
            )
            db.session.add(meeting)
            db.session.flush()
            found[number] = meeting.id
        db.session.commit()
        return found


def meeting(number: int) -> Meeting:
    return db.session.scalars(sa.select(Meeting).where(Meeting.number == number)).one()


def rows(app, number: int = 10) -> list[tuple[Any, ...]]:
    """The meeting's items as (position, kind, speaker, confidentiality, section, body)."""
    with app.app_context():
        items = db.session.scalars(
            sa.select(Item).where(Item.meeting_id == meeting(number).id).order_by(Item.position)
        )
        return [
            (
                i.position,
                i.kind,
                i.speaker.name if i.speaker else None,
                i.confidentiality,
                i.section,
                i.body,
            )
            for i in items
        ]


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Item, Person, AuditEvent)
        }


def do_import(app, text: str, number: int = 10, mode: ImportMode = ImportMode.REFUSE):
    with app.app_context():
        try:
            result = import_notes(meeting(number), text, actor=None, mode=mode)
        except NotesFileError:
            db.session.rollback()
            raise
        db.session.commit()
        return result


def add_person(app, name: str, **details: str) -> int:
    with app.app_context():
        person = create_person(PersonFields(name, **details), actor=None)
        db.session.commit()
        return person.id


def add_items(app, *bodies: str, number: int = 10) -> None:
    with app.app_context():
        for body in bodies:
            create_item(meeting(number), ItemFields(Kind.POINT, body), actor=None)
        db.session.commit()


def export(app, number: int = 10) -> str:
    with app.app_context():
        return export_notes(meeting(number))


# --- the service ------------------------------------------------------------------------


def test_example_imports_every_item_in_order(app, meetings):
    """Kinds, speakers, confidentiality, section and bodies (spans kept) land in file order."""
    result = do_import(app, EXAMPLE)
    assert (result.items_created, result.items_deleted, result.people_created) == (
        5,
        0,
        ["Jane Doe"],
    )
    assert result.warnings == []
    assert rows(app) == [
        (1, Kind.POINT, None, Confidentiality.OPEN, "Opening round",
         "We agreed to meet in person next time."),
        (2, Kind.QUOTE, "Jane Doe", Confidentiality.OPEN, "Opening round",
         '"Data without context is noise."'),
        (3, Kind.ACTION, None, Confidentiality.MEMBERS, "Opening round",
         "Circulate the slides before the next meeting."),
        (4, Kind.DECISION, "Jane Doe", Confidentiality.CONFIDENTIAL, "Opening round",
         "The pilot goes ahead with\nthe council, and [the budget is £40k]{.confidential}.\n\n"
         "A second paragraph of the same item is indented (2+ spaces)."),
        (5, Kind.POINT, None, Confidentiality.OPEN, "Opening round",
         'A paragraph with no "Kind:" prefix is a point.'),
    ]  # fmt: skip
    with app.app_context():
        person = db.session.scalars(sa.select(Person)).one()
        assert (person.affiliation, person.descriptor, person.email) == (
            "Open Data Manchester",
            "a local authority data lead",
            "jane@example.org",
        )


def test_import_is_audited_without_the_text(app, meetings):
    """Each item and person created is audited, plus one import event; no body text in them."""
    do_import(app, EXAMPLE)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        assert actions.count("item.create") == 5 and actions.count("person.create") == 1
        assert actions[-1] == "notes.import"
        assert events[-1].details["items_created"] == 5
        assert all(e.actor_label == "command line" for e in events)
        assert "40k" not in repr([e.details for e in events])


def test_speaker_matches_a_recorded_person_however_typed(app, meetings):
    """'jane  DOE' and 'Jané Doe' are the recorded Jane Doe: no new person."""
    jane = add_person(app, "Jane Doe", affiliation="ODM")
    result = do_import(app, "Quote (jane  DOE): a\n\nPoint (Jané Doe): b\n")
    assert result.people_created == [] and result.people_matched == ["Jane Doe"]
    with app.app_context():
        speakers = db.session.scalars(sa.select(Item.speaker_id)).all()
        assert speakers == [jane, jane]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


def test_differing_front_matter_details_warn_and_leave_the_person_alone(app, meetings):
    """Details the file gives that differ from the stored person are warned about, not applied."""
    add_person(app, "Jane Doe", affiliation="ODM", email="jane@example.org")
    text = (
        "---\npeople:\n  - name: Jane Doe\n    affiliation: Other Org\n"
        "    email: JANE@example.org\n---\nQuote (Jane Doe): x\n"
    )
    result = do_import(app, text)
    assert result.warnings == [
        "line 3: Jane Doe is already recorded with affiliation 'ODM'; "
        "the file's 'Other Org' was not applied"
    ]
    with app.app_context():
        assert db.session.scalars(sa.select(Person.affiliation)).one() == "ODM"


def test_unknown_speakers_are_created_once(app, meetings):
    """A new name is one new person however often and however it is written."""
    result = do_import(app, "Quote (Sam Smith): a\n\nAction (sam smith): b\n\nQuote (Ann): c\n")
    assert result.people_created == ["Sam Smith", "Ann"]
    assert [r[2] for r in rows(app)] == ["Sam Smith", "Sam Smith", "Ann"]


def test_speaker_matching_two_people_is_an_error_naming_the_line(app, meetings):
    """A name two recorded people share is refused with its line; nothing is written."""
    add_person(app, "Sam Smith")
    add_person(app, "sam  smith")
    before = counts(app)
    with pytest.raises(NotesFileError) as caught:
        do_import(app, "Point: a\n\nQuote (Sam Smith): b\n")
    assert caught.value.line == 3 and "matches 2 people" in caught.value.message
    assert counts(app) == before


def test_title_and_meeting_that_differ_are_warned_about(app, meetings):
    """A file naming another meeting or title is imported where asked, with warnings."""
    result = do_import(app, "---\nseries: cop\nmeeting: 10\n---\n# Other title\n\nA.\n", number=11)
    assert result.warnings == [
        "line 3: the file is the notes of meeting 10 of cop; imported into meeting 11 of cop "
        "as asked",
        "line 5: the title 'Other title' is not the meeting's title 'Eleventh meeting'; "
        "the meeting keeps its title",
    ]
    assert rows(app, 11)[0][5] == "A."


def test_meeting_with_items_is_refused_by_default(app, meetings):
    """REFUSE leaves a meeting that has notes untouched and says how to go on."""
    add_items(app, "Already here.")
    before = counts(app)
    with pytest.raises(MeetingHasNotes, match="already has 1 item: choose to append"):
        do_import(app, "New.\n")
    assert counts(app) == before


def test_append_adds_after_the_items_there(app, meetings):
    """APPEND keeps the items and adds the file's after them."""
    add_items(app, "One.", "Two.")
    result = do_import(app, "Three.\n\nFour.\n", mode=ImportMode.APPEND)
    assert result.items_created == 2
    assert [(r[0], r[5]) for r in rows(app)] == [
        (1, "One."),
        (2, "Two."),
        (3, "Three."),
        (4, "Four."),
    ]


def test_replace_deletes_the_items_there_first(app, meetings):
    """REPLACE deletes the meeting's items (audited) and imports the file's from position 1."""
    add_items(app, "Old one.", "Old two.")
    add_items(app, "Other meeting.", number=11)
    result = do_import(app, "New.\n", mode=ImportMode.REPLACE)
    assert (result.items_created, result.items_deleted) == (1, 2)
    assert [(r[0], r[5]) for r in rows(app)] == [(1, "New.")]
    assert [r[5] for r in rows(app, 11)] == ["Other meeting."]
    with app.app_context():
        deleted = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "item.delete")
        )
        assert len(deleted.all()) == 2


@pytest.mark.parametrize("mode", list(ImportMode))
def test_error_in_the_last_item_leaves_everything_untouched(app, meetings, mode):
    """All or nothing: a too-long last item is refused with its line and nothing changes."""
    add_items(app, "Kept.")
    text = "Quote (New Person): first\n\nPoint: second\n\nAction: " + "x" * (BODY_MAX + 1) + "\n"
    before = (counts(app), rows(app))
    with pytest.raises(NotesFileError) as caught:
        do_import(app, text, mode=mode)
    if mode is not ImportMode.REFUSE:
        assert caught.value.line == 5 and "at most 20,000 characters" in caught.value.message
    assert (counts(app), rows(app)) == before


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("## " + "s" * 201 + "\n\nA.\n", 1, "section heading is at most 200"),
        ("---\npeople:\n  - name: Samira Ode\n    email: bad\n---\nQuote (Samira Ode): x\n", 3,
         "Samira Ode: That is not a valid email address"),
        ("Quote (" + "n" * 201 + "): x\n", 1, "At most 200 characters"),
    ],
)  # fmt: skip
def test_invalid_fields_are_refused_with_their_line(app, meetings, text, line, words):
    """Item and person fields the services would refuse are refused before writing, with a line."""
    before = counts(app)
    with pytest.raises(NotesFileError) as caught:
        do_import(app, text)
    assert caught.value.line == line and words in caught.value.message
    assert counts(app) == before


# --- export and round trips -----------------------------------------------------------------

TRICKY_BODIES = [
    "Plain.",
    "Point: this line looks like an item\n## and this like a section\n# and a title",
    "First paragraph.\n\n\nSecond, after two blank lines, with [a secret]{.confidential} "
    "and [member detail]{.members}.",
    "  starts indented\n\n        code block\n\ttabbed",
    "Unicode: Zoë, Ó Briain, 日本語, 🙂, non\u00a0breaking",
    "Hard break  \nnext line\n---\n...",
]


def build_notes(app) -> None:
    """Meeting 10 with every kind, level, speaker detail, section change and tricky body."""
    jane = add_person(
        app, "Jane Doe", affiliation="ODM", descriptor="a data lead", email="jane@example.org"
    )
    sam = add_person(app, "Sam (Chair) Smith")
    with app.app_context():
        m = meeting(10)
        specs = [
            (Kind.POINT, TRICKY_BODIES[0], "", None, Confidentiality.OPEN),
            (Kind.QUOTE, TRICKY_BODIES[1], "Opening round", jane, Confidentiality.OPEN),
            (Kind.ACTION, TRICKY_BODIES[2], "Opening round", None, Confidentiality.MEMBERS),
            (Kind.DECISION, TRICKY_BODIES[3], "Budget", sam, Confidentiality.CONFIDENTIAL),
            (Kind.QUESTION, TRICKY_BODIES[4], "", jane, Confidentiality.OPEN),
            (Kind.RESOURCE, TRICKY_BODIES[5], "Close", sam, Confidentiality.MEMBERS),
        ]
        for kind, body, section, speaker, level in specs:
            create_item(m, ItemFields(kind, body, section, speaker, level), actor=None)
        db.session.commit()


def test_export_then_import_into_an_empty_meeting_loses_nothing(app, meetings):
    """Every field and the order survive export → import; the second export is identical."""
    build_notes(app)
    first = export(app, 10)
    result = do_import(app, first, number=11)
    assert result.people_created == []
    assert sorted(result.people_matched) == ["Jane Doe", "Sam (Chair) Smith"]
    assert rows(app, 11) == rows(app, 10)
    assert [r[5] for r in rows(app, 11)] == TRICKY_BODIES
    second = export(app, 11)
    assert second == first.replace("meeting: 10", "meeting: 11").replace(
        "# Tenth meeting", "# Eleventh meeting"
    )


def test_export_replace_import_into_the_same_meeting_gives_the_same_file(app, meetings):
    """Importing a meeting's export over it (replace) leaves an identical export."""
    build_notes(app)
    first = export(app, 10)
    do_import(app, first, mode=ImportMode.REPLACE)
    assert export(app, 10) == first


def test_export_into_a_new_database_recreates_the_speakers(app, meetings):
    """Exported people details recreate the speakers where they are not recorded."""
    build_notes(app)
    text = export(app, 10)
    with app.app_context():
        db.session.execute(sa.delete(Item))
        db.session.execute(sa.delete(Person))
        db.session.commit()
    result = do_import(app, text, number=11)
    assert result.people_created == ["Jane Doe", "Sam (Chair) Smith"]
    with app.app_context():
        jane = db.session.scalars(sa.select(Person).where(Person.name == "Jane Doe")).one()
        assert (jane.affiliation, jane.descriptor, jane.email) == (
            "ODM",
            "a data lead",
            "jane@example.org",
        )


def test_export_lists_front_matter_title_and_raw_bodies(app, meetings):
    """The export names series and meeting, every speaker's details, and raw confidential text."""
    build_notes(app)
    text = export(app, 10)
    assert text.startswith("---\nseries: cop\nmeeting: 10\npeople:\n  - name: Jane Doe\n")
    assert "    email: jane@example.org\n" in text
    assert "  - name: Sam (Chair) Smith\n---\n\n# Tenth meeting\n\n" in text
    assert "Decision (Sam (Chair) Smith) [confidential]:\n      starts indented\n" in text
    assert "[a secret]{.confidential}" in text


# --- the commands ----------------------------------------------------------------------------


def run(runner, *args: str | Path):
    return runner.invoke(args=[*map(str, args)])


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def write(tmp_path: Path, text: str | bytes, name: str = "notes.md") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_command_imports_into_the_meeting_the_file_names(app, meetings, runner, tmp_path):
    """Series and meeting come from the front matter; the summary names what was done."""
    path = write(tmp_path, EXAMPLE)
    result = run(runner, "import", "notes", path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"imported {path} into meeting 10 of cop: 5 items",
        "    people created: Jane Doe",
        "0 warnings",
    ]
    assert len(rows(app)) == 5


def test_command_options_override_the_front_matter_and_warnings_show_lines(
    app, meetings, runner, tmp_path
):
    """--series/--meeting choose the meeting; the file's other meeting is warned, with its line."""
    path = write(tmp_path, EXAMPLE)
    result = run(runner, "import", "notes", path, "--series", "cop", "--meeting", "11")
    assert result.exit_code == 0, result.output
    assert "    warning: line 3: the file is the notes of meeting 10 of cop" in result.output
    assert "    warning: line 11: the title 'Tenth meeting'" in result.output
    assert result.output.splitlines()[-1] == "2 warnings"
    assert (len(rows(app, 10)), len(rows(app, 11))) == (0, 5)


def test_dry_run_writes_nothing_and_says_what_it_would_do(app, meetings, runner, tmp_path):
    """--dry-run reports the import and leaves items, people and the audit log as they were."""
    add_items(app, "Old.")
    before = (counts(app), rows(app))
    path = write(tmp_path, EXAMPLE)
    result = run(runner, "import", "notes", path, "--replace", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"would import {path} into meeting 10 of cop: 5 items, would delete 1 existing",
        "    new people: Jane Doe",
        "0 warnings (dry run: nothing was written)",
    ]
    assert (counts(app), rows(app)) == before


def test_dry_run_reports_errors_too(app, meetings, runner, tmp_path):
    """A dry run of a bad file fails as the real import would."""
    path = write(tmp_path, "A.\n\nNote: x\n")
    line = one_line_error(run(runner, "import", "notes", path, "--dry-run"))
    assert line == (
        f"Error: {path}: line 3: 'Note:' is not a kind of item (point, quote, action, decision, "
        "question, resource); to keep 'Note:' as text, start the paragraph with 'Point: Note: ...'"
    )


def test_command_refuses_a_meeting_with_notes_and_names_the_options(
    app, meetings, runner, tmp_path
):
    """Without --append/--replace a meeting with items is refused with a hint."""
    add_items(app, "Old.")
    line = one_line_error(run(runner, "import", "notes", write(tmp_path, EXAMPLE)))
    assert "already has 1 item" in line and "--append" in line and "--replace" in line
    assert len(rows(app)) == 1


def test_command_append_and_replace(app, meetings, runner, tmp_path):
    """--append adds after the items; --replace deletes them first; both at once is refused."""
    add_items(app, "Old.")
    path = write(tmp_path, "New.\n")
    appended = run(
        runner, "import", "notes", path, "--meeting", "10", "--series", "cop", "--append"
    )
    assert appended.exit_code == 0
    assert [r[5] for r in rows(app)] == ["Old.", "New."]
    result = run(runner, "import", "notes", path, "--series", "cop", "--meeting", "10", "--replace")
    assert result.exit_code == 0 and "deleted 2 existing" in result.output
    assert [r[5] for r in rows(app)] == ["New."]
    both = run(runner, "import", "notes", path, "--append", "--replace")
    assert both.exit_code == 2 and "not both" in both.output


@pytest.mark.parametrize(
    ("text", "args", "words"),
    [
        ("A.\n", [], "no series: give --series SLUG"),
        ("A.\n", ["--series", "cop"], "no meeting: give --meeting N"),
        ("---\nseries: cop\n---\nA.\n", [], "no meeting: give --meeting N"),
        ("A.\n", ["--series", "nope", "--meeting", "1"], "there is no series 'nope'"),
        ("A.\n", ["--series", "cop", "--meeting", "99"], "series 'cop' has no meeting 99"),
        ("---\nseries: cop\nmeeting: 10\n", [], "never closed"),
        ("", ["--series", "cop", "--meeting", "10"], "the file has no items"),
        ("Point [secret]: x\n", [], "line 1: '[secret]' is not a confidentiality"),
    ],
)
def test_command_errors_are_one_line(app, meetings, runner, tmp_path, text, args, words):
    """Every refusal is one line naming the problem, exit status 1, nothing written."""
    before = counts(app)
    line = one_line_error(run(runner, "import", "notes", write(tmp_path, text), *args))
    assert words in line
    assert counts(app) == before


def test_command_refuses_bad_files(app, meetings, runner, tmp_path):
    """A missing file, non-UTF-8 bytes and a file over 2 MB are one-line errors."""
    args = ["--series", "cop", "--meeting", "10"]
    missing = one_line_error(run(runner, "import", "notes", tmp_path / "nowhere.md", *args))
    assert "cannot read the file" in missing
    latin = write(tmp_path, "A.\n\nCafé\n".encode("latin-1"), "latin.md")
    assert "line 3: not UTF-8 text (byte 0xe9)" in one_line_error(
        run(runner, "import", "notes", latin, *args)
    )
    big = write(tmp_path, "Point: " + "x" * (2 * 1024 * 1024), "big.md")
    assert "over 2 MB" in one_line_error(run(runner, "import", "notes", big, *args))
    assert counts(app)["items"] == 0


def test_bad_series_slug_option_is_refused(app, meetings, runner, tmp_path):
    """--series takes a slug, as for import events."""
    path = write(tmp_path, "A.\n")
    result = run(runner, "import", "notes", path, "--series", "Co P", "--meeting", "1")
    assert result.exit_code == 2 and "is not a series slug" in result.output


def test_export_command_writes_to_stdout_or_a_file(app, meetings, runner, tmp_path):
    """'export notes SLUG N' prints the notes file; -o writes it to a file instead."""
    build_notes(app)
    expected = export(app, 10)
    printed = run(runner, "export", "notes", "cop", "10")
    assert printed.exit_code == 0 and printed.stdout == expected
    target = tmp_path / "out.md"
    written = run(runner, "export", "notes", "cop", "10", "-o", target)
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_bytes() == expected.encode("utf-8")


def test_export_command_errors_are_one_line(app, meetings, runner, tmp_path):
    """Unknown series or meeting, or an unwritable file, end with one line and status 1."""
    assert "there is no series 'nope'" in one_line_error(
        run(runner, "export", "notes", "nope", "1")
    )
    assert "has no meeting 3" in one_line_error(run(runner, "export", "notes", "cop", "3"))
    target = tmp_path / "missing-folder" / "out.md"
    assert "cannot write the file" in one_line_error(
        run(runner, "export", "notes", "cop", "10", "-o", target)
    )


def test_commands_round_trip_between_meetings(app, meetings, runner, tmp_path):
    """export -o, then import into another meeting, then export: the same notes file."""
    build_notes(app)
    path = tmp_path / "ten.md"
    assert run(runner, "export", "notes", "cop", "10", "-o", path).exit_code == 0
    imported = run(runner, "import", "notes", path, "--meeting", "11")
    assert imported.exit_code == 0, imported.output
    again = run(runner, "export", "notes", "cop", "11").stdout
    assert again == path.read_text(encoding="utf-8").replace("meeting: 10", "meeting: 11").replace(
        "# Tenth meeting", "# Eleventh meeting"
    )
    assert rows(app, 11) == rows(app, 10)
