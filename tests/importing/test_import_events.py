"""``notesbase import events``: pages become meetings, re-imports change only what
changed, dry runs write nothing, and a bad file never stops or half-writes others."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.importing.events import collect_files, import_event_pages
from notesbase.models import Meeting, Series, Topic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS = FIXTURES / "events"
REAL = EVENTS / "2025-07-09-community-of-practice.md"
MIXED = FIXTURES / "import" / "mixed"
SLUG = "data-and-ai-public-engagement-community-of-practice"
SERIES_TITLE = "Data and AI public engagement: Community of Practice"
ZOOM = "https://us06web.zoom.us/meeting/register/z5wEhZRTSiuF1UgPB1AnbA"


def run(runner, *args: str | Path):
    return runner.invoke(args=["import", "events", *map(str, args)])


def meetings(app) -> list[Meeting]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Meeting).order_by(Meeting.id)))


def snapshot(app) -> dict[str, Any]:
    """Every column of every series, meeting and topic, and the meeting-topic links."""
    with app.app_context():
        tables: dict[str, Any] = {}
        for model in (Series, Meeting, Topic):
            rows = db.session.scalars(sa.select(model).order_by(model.id))
            tables[model.__tablename__] = [
                {c.key: getattr(row, c.key) for c in model.__table__.columns} for row in rows
            ]
        tables["links"] = sorted(
            (m.id, t.name) for m in db.session.scalars(sa.select(Meeting)) for t in m.topics
        )
        return tables


def write_page(folder: Path, name: str, front: str, body: str = "Text.") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


def test_real_page_imports_as_the_tenth_meeting(app, runner):
    """The real page creates meeting 10 of its series with everything the file says."""
    result = run(runner, EVENTS)
    assert result.exit_code == 0, result.output
    assert f"created      {REAL}: meeting 10 of {SLUG}" in result.output
    with app.app_context():
        series = db.session.scalars(sa.select(Series)).one()
        assert (series.slug, series.title) == (SLUG, SERIES_TITLE)
        meeting = db.session.scalars(sa.select(Meeting)).one()
        assert meeting.series_id == series.id
        assert meeting.number == 10
        assert meeting.title == "Tenth meeting"
        assert meeting.date == date(2025, 7, 9)
        assert meeting.start_time == time(14, 0)
        assert meeting.timezone == "Europe/London"
        assert meeting.format == "online"
        # 'upcoming: true' on a date now gone: imported as held.
        assert meeting.status == "held"
        assert (meeting.speakers, meeting.theme) == ("TBC", "TBC")
        assert meeting.registration_url == ZOOM
        assert meeting.chatham_house is True
        assert meeting.external_writeup is False
        assert meeting.source_ref == "2025-07-09-community-of-practice"
        assert sorted(t.name for t in meeting.topics) == [
            "People and Participation",
            "Public sector",
        ]
        assert "we will hold the tenth meeting of a [community of practice](https://" in (
            meeting.description
        )
        assert "<!--more-->" not in meeting.description
        assert "It’s designed" in meeting.description
        assert set(meeting.source_extra) == {
            "layout", "image", "featured", "author", "category", "project",
        }  # fmt: skip
        assert meeting.source_extra["author"] == "Gavin Freeguard"


def test_output_lists_warnings_under_the_file_and_a_summary(runner):
    """One line per file, its warnings indented below with their lines, then a summary."""
    output = run(runner, REAL).output
    lines = output.splitlines()
    assert lines[0].startswith(f"created      {REAL}")
    assert "    warning: line 17: 'topics' appears more than once" in output
    assert "    warning: line 21: repaired the link" in output
    assert "    warning: line 13: 'link' is empty" in output
    assert lines[-1].startswith("1 file: 1 created;")
    assert ("is in the past" in output) == (date.today() > date(2025, 7, 9))


def test_importing_twice_changes_nothing(app, runner):
    """The same file a second time is 'unchanged' and leaves every column as it was."""
    assert run(runner, EVENTS).exit_code == 0
    before = snapshot(app)
    result = run(runner, EVENTS)
    assert result.exit_code == 0, result.output
    assert f"unchanged    {REAL}: meeting 10 of {SLUG}" in result.output
    assert "1 file: 1 unchanged" in result.output
    assert snapshot(app) == before


def test_dry_run_writes_nothing(app, runner):
    """--dry-run says what would be created and leaves the database empty."""
    empty = snapshot(app)
    result = run(runner, "--dry-run", EVENTS)
    assert result.exit_code == 0, result.output
    assert f"would create {REAL}: meeting 10 of {SLUG}" in result.output
    assert "(dry run: nothing was written)" in result.output
    assert snapshot(app) == empty


def test_changed_file_updates_the_same_meeting(app, runner, tmp_path):
    """An edited page updates its meeting in place; the dry run first lists old → new."""
    page = tmp_path / REAL.name
    shutil.copy(REAL, page)
    assert run(runner, page).exit_code == 0
    (original,) = meetings(app)
    page.write_text(
        page.read_text(encoding="utf-8")
        .replace("Speakers and the theme are TBC.", "The theme is Trust and data.")
        .replace("writeup: false", "writeup: true"),
        encoding="utf-8",
    )
    before = snapshot(app)
    preview = run(runner, "--dry-run", page)
    assert preview.exit_code == 0, preview.output
    assert f"would update {page}: meeting 10 of {SLUG}" in preview.output
    assert "    title: 'Tenth meeting' → 'Trust and data'" in preview.output
    assert "    theme: 'TBC' → 'Trust and data'" in preview.output
    assert "    external_writeup: False → True" in preview.output
    assert "    description: " in preview.output
    assert "speakers:" not in preview.output  # no longer stated: kept as it was
    assert snapshot(app) == before
    result = run(runner, page)
    assert f"updated      {page}: meeting 10 of {SLUG}" in result.output
    (updated,) = meetings(app)
    assert updated.id == original.id
    assert (updated.title, updated.theme, updated.speakers) == (
        "Trust and data",
        "Trust and data",
        "TBC",
    )
    assert updated.external_writeup is True
    assert updated.updated_at >= original.updated_at


def test_number_change_renumbers_the_same_meeting(app, runner, tmp_path):
    """A page given a different number moves its meeting; it is found by its file name."""
    page = tmp_path / REAL.name
    shutil.copy(REAL, page)
    run(runner, page)
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "date: 2025-07-09", "date: 2025-07-09\nnumber: 11"
        ),
        encoding="utf-8",
    )
    result = run(runner, page)
    assert "    number: 10 → 11" in result.output
    assert "    title: 'Tenth meeting' → 'Eleventh meeting'" in result.output
    assert [(m.number, m.source_ref) for m in meetings(app)] == [(11, page.stem)]


def test_series_option_puts_pages_in_that_series(app, runner):
    """--series SLUG creates the series, titled from the front matter, and imports into it."""
    result = run(runner, "--series", "cop", REAL)
    assert result.exit_code == 0, result.output
    assert "meeting 10 of cop" in result.output
    assert "created the series 'cop'" in result.output
    with app.app_context():
        series = db.session.scalars(sa.select(Series)).one()
        assert (series.slug, series.title) == ("cop", SERIES_TITLE)
        assert db.session.scalars(sa.select(Meeting)).one().series_id == series.id


def test_series_option_uses_an_existing_series(app, runner, make_series):
    """--series with an existing slug imports into it and keeps its title."""
    existing = make_series("cop", "Our Community of Practice")
    result = run(runner, "--series", "cop", REAL)
    assert "the series keeps its title" in result.output
    (meeting,) = meetings(app)
    assert meeting.series_id == existing.id
    with app.app_context():
        assert db.session.get(Series, existing.id).title == "Our Community of Practice"


def test_series_found_by_title(app, runner, make_series):
    """Without --series, a series whose title is the page's title is used, whatever its slug."""
    existing = make_series("cop", SERIES_TITLE)
    assert run(runner, REAL).exit_code == 0
    assert meetings(app)[0].series_id == existing.id


def test_bad_series_slug_is_refused(app, runner):
    """--series must be a slug: a clear usage error, nothing imported."""
    result = run(runner, "--series", "Community Of Practice", REAL)
    assert result.exit_code == 2
    assert "'community-of-practice'" in result.output
    assert meetings(app) == []


def test_folder_with_a_bad_file_imports_the_good_one(app, runner):
    """One malformed file fails with its line; the good one imports; non-pages are skipped."""
    result = run(runner, MIXED)
    assert result.exit_code == 1
    bad = MIXED / "2025-08-13-community-of-practice.md"
    assert f"error        {bad}: line 3: the front matter is not valid YAML" in result.output
    assert f"created      {MIXED / '2025-06-18-community-of-practice.md'}: meeting 9 of {SLUG}" in (
        result.output
    )
    assert f"skipped      {MIXED / 'notes.txt'}" in result.output
    assert "3 files: 1 created, 1 error, 1 skipped" in result.output
    (meeting,) = meetings(app)
    assert (meeting.number, meeting.start_time, meeting.status) == (9, time(14, 30), "held")
    assert meeting.title == "Using tech tools to support public engagement"
    assert meeting.theme == "using tech tools to support public engagement"


def test_missing_path_and_non_page_are_errors(app, runner, tmp_path):
    """A path that does not exist, or a named non-Markdown file, fails; the rest import."""
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    result = run(runner, tmp_path / "nowhere", other, REAL)
    assert result.exit_code == 1
    assert f"error        {tmp_path / 'nowhere'}: no such file or folder" in result.output
    assert f"error        {other}: not a Markdown page (.md)" in result.output
    assert len(meetings(app)) == 1


def test_each_file_is_all_or_nothing(app, runner, tmp_path):
    """A file that fails after its series was made leaves nothing behind; the next one imports."""
    write_page(
        tmp_path / "pages",
        "1-unnumbered.md",
        "title: Fresh\ndate: 2024-12-01\ntopics: [Lonely topic]",
    )
    write_page(tmp_path / "pages", "2-numbered.md", "title: Fresh\ndate: 2025-01-01\nnumber: 1")
    with app.app_context():
        report = import_event_pages([tmp_path / "pages"], series="fresh")
        db.session.commit()
    first, second = report.files
    assert first.action == "error"
    assert "number 1, inferred from the date order, is already meeting 1" in str(first.error)
    assert second.action == "created"
    assert any("created the series 'fresh'" in n.message for n in second.notices)
    with app.app_context():
        assert db.session.scalars(sa.select(Series.slug)).all() == ["fresh"]
        assert db.session.scalars(sa.select(Meeting.source_ref)).all() == ["2-numbered"]
        assert db.session.scalars(sa.select(Topic)).all() == []


def test_number_by_date_order(app, runner, tmp_path):
    """Without number or ordinal, pages are numbered by date among the series' meetings."""
    write_page(tmp_path / "a", "one.md", "title: Fresh\ndate: 2025-01-10")
    write_page(tmp_path / "a", "two.md", "title: Fresh\ndate: 2025-02-10")
    result = run(runner, tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert "inferred from the date order" in result.output
    write_page(tmp_path / "b", "three.md", "title: Fresh\ndate: 2025-03-05")
    assert "meeting 3 of fresh" in run(runner, tmp_path / "b").output
    assert [(m.source_ref, m.number) for m in meetings(app)] == [
        ("one", 1),
        ("two", 2),
        ("three", 3),
    ]
    again = run(runner, tmp_path / "a")
    assert "2 files: 2 unchanged" in again.output
    assert "kept meeting number 1" in again.output


def test_number_by_date_refuses_a_collision(app, runner, tmp_path):
    """An inferred number taken by a different meeting is an error for that file only."""
    write_page(tmp_path / "a", "one.md", "title: Fresh\ndate: 2025-01-10\nnumber: 1")
    write_page(tmp_path / "a", "two.md", "title: Fresh\ndate: 2025-02-10\nnumber: 2")
    run(runner, tmp_path / "a")
    page = write_page(tmp_path / "b", "between.md", "title: Fresh\ndate: 2025-01-20")
    result = run(runner, page)
    assert result.exit_code == 1
    assert f"error        {page}: number 2, inferred from the date order, is already meeting 2" in (
        result.output
    )
    assert len(meetings(app)) == 2


def test_same_number_from_another_file_is_refused(app, runner, tmp_path):
    """A second file claiming an imported meeting's number never overwrites it."""
    run(runner, REAL)
    copy = tmp_path / "2025-07-10-copy.md"
    shutil.copy(REAL, copy)
    result = run(runner, copy)
    assert result.exit_code == 1
    assert (
        "meeting 10 of" in result.output
        and "imported from 2025-07-09-community-of-practice" in (result.output)
    )
    assert [m.source_ref for m in meetings(app)] == [REAL.stem]


def test_hand_made_meeting_is_adopted_by_number(app, runner, make_series):
    """A meeting entered by hand with the page's number is updated, not duplicated."""
    series = make_series(SLUG, SERIES_TITLE)
    with app.app_context():
        db.session.add(
            Meeting(series_id=series.id, number=10, title="Tenth", date=date(2025, 7, 9))
        )
        db.session.commit()
    result = run(runner, REAL)
    assert f"updated      {REAL}: meeting 10" in result.output
    assert "entered by hand, which now carries this file's name" in result.output
    (meeting,) = meetings(app)
    assert (meeting.source_ref, meeting.title) == (REAL.stem, "Tenth meeting")


def test_same_name_twice_in_one_run_is_refused(app, runner, tmp_path):
    """Two files with the same name would be one meeting: the second is refused."""
    write_page(tmp_path / "a", "page.md", "title: Fresh\ndate: 2025-01-10\nnumber: 1")
    write_page(tmp_path / "b", "page.md", "title: Fresh\ndate: 2025-02-10\nnumber: 2")
    result = run(runner, tmp_path / "a", tmp_path / "b")
    assert result.exit_code == 1
    assert "has the same name, so both would be one meeting" in result.output
    assert [m.number for m in meetings(app)] == [1]


def test_python_api_returns_a_structured_report(app):
    """import_event_pages returns per-file results and does not commit by itself."""
    with app.app_context():
        report = import_event_pages([REAL, MIXED], today=date(2025, 7, 1))
        assert report.ok is False
        assert [f.action for f in report.files] == [
            "created", "created", "error", "skipped",
        ]  # fmt: skip
        real = report.files[0]
        assert (real.series, real.number) == (SLUG, 10)
        assert real.meeting_id is not None
        assert {c.field for c in real.changes} >= {"number", "date", "topics", "description"}
        assert not any("in the past" in n.message for n in real.notices)
        assert report.files[2].error.line == 3
        db.session.rollback()
    assert meetings(app) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "line 1: the file is empty"),
        (b"title: T\n", "line 1: no front matter"),
        (b"---\ntitle: T\ndate: 2025-07-09\n", "line 1: the front matter opened on line 1"),
        (b"---\ntitle: T\ndate: 2025-07-09\n---\n\nCaf\xe9\n", "line 6: not UTF-8 text"),
        (b"---\ntitle: T\ndate: 2025-02-30\n---\n", "line 3: the date '2025-02-30' is not a date"),
        (b"---\ntitle: T\ndate: 2025-07-09\nnumber: -1\n---\n", "line 4: the number '-1'"),
    ],
)
def test_malformed_file_is_an_error_naming_file_and_line(app, runner, tmp_path, content, message):
    """A malformed page fails with its path and line; the good page beside it still imports."""
    folder = tmp_path / "pages"
    folder.mkdir()
    bad = folder / "bad.md"
    bad.write_bytes(content)
    shutil.copy(REAL, folder / REAL.name)
    result = run(runner, folder)
    assert result.exit_code == 1
    assert f"error        {bad}: {message}" in result.output
    assert [m.source_ref for m in meetings(app)] == [REAL.stem]


def test_folders_are_searched_and_hidden_entries_left_out(tmp_path):
    """Pages in sub-folders are found, in order; hidden files and folders are not."""
    write_page(tmp_path / "b", "two.md", "title: T\ndate: 2025-01-01")
    write_page(tmp_path, "a.md", "title: T\ndate: 2025-01-01")
    write_page(tmp_path / ".git", "hidden.md", "title: T\ndate: 2025-01-01")
    write_page(tmp_path, ".draft.md", "title: T\ndate: 2025-01-01")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    found = collect_files([tmp_path])
    assert [(p.relative_to(tmp_path).as_posix(), why and why.level) for p, why in found] == [
        ("a.md", None),
        ("b/two.md", None),
        ("logo.png", "note"),
    ]
