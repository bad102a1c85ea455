"""Hostile files through every importer: an event page and a notes file
full of the XSS corpus import as inert text; a page that is too big or holds
a NUL is refused with its file (and line), the other pages still import;
an uploaded notes file that is not text writes nothing; and what the
command line prints about a file cannot drive the terminal."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
import yaml

from notesbase.db import db
from notesbase.importing.event_pages import MAX_PAGE_BYTES
from notesbase.models import Item, Meeting, Person, Role, Series
from tests.conftest import post_form
from tests.hostile import checks_support as checks
from tests.hostile.world_support import add_meeting, packed

GOOD_PAGE = "---\ntitle: Fine series\ndate: 2025-03-01\nnumber: 1\n---\n\nAll well.\n"


def _page(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _run(runner, *args: object):
    return runner.invoke(args=["import", *map(str, args)])


def _texts() -> list[str]:
    return [payload for _, payload in checks.corpus()]


def test_hostile_event_page_imports_as_inert_text(app, client, runner, tmp_path):
    """Every payload in an event page's title, topics, link and body: the
    page imports and its meeting's pages and calendar are inert."""
    titles = packed([p for p in _texts() if "\x00" not in p], 200)
    front = {
        "title": titles[0],
        "date": "2030-03-01",
        "number": 1,
        "topics": [t[:120] for t in titles[1:6]],
        "link": "javascript:alert(1)",
        "theme": titles[6],
    }
    body = "\n\n".join(p.replace("\x00", "") for p in _texts())
    page = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\n" + body + "\n"
    _page(tmp_path / "pages", "hostile.md", page)
    result = _run(runner, "events", tmp_path / "pages")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        slug, number = meeting.series.slug, meeting.number
        assert meeting.registration_url is None
    for url in (f"/series/{slug}", f"/series/{slug}/meetings/{number}", "/upcoming", "/topics/"):
        response = client.get(url)
        assert response.status_code == 200, url
        checks.assert_inert_html(response.get_data(as_text=True), url)
    checks.assert_inert_calendar(client.get("/calendar.ics").data, 1, "/calendar.ics")


def test_hostile_notes_file_imports_as_inert_text(app, client, login_as):
    """A notes file whose items, sections and speakers are the payloads
    imports (pasted on the web), and the notes page shows them inert."""
    add_meeting(app)
    login_as(Role.FACILITATOR)
    lines = []
    for index, payload in enumerate(p.replace("\x00", "") for p in _texts()):
        body = "\n".join("    " + line if n else line for n, line in enumerate(payload.split("\n")))
        lines += [f"## Section {index}", f"Point (Speaker {index}): {body}", ""]
    response = post_form(
        client, "/series/cop/meetings/1/notes/import", {"text": "\n".join(lines), "mode": "refuse"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == len(_texts())
    for url in ("/series/cop/meetings/1/notes", "/series/cop/meetings/1/notes/edit"):
        checks.assert_inert_html(client.get(url).get_data(as_text=True), url)


def test_event_page_too_big_or_with_nul_is_refused_alone(app, runner, tmp_path):
    """A page over the size limit, and one holding a NUL, are each an error
    naming the file (and the line); the good page beside them imports."""
    folder = tmp_path / "pages"
    big = _page(folder, "big.md", GOOD_PAGE.replace("All well.", "x" * MAX_PAGE_BYTES))
    nul = _page(folder, "nul.md", GOOD_PAGE.replace("number: 1", "number: 2") + "a\x00b\n")
    _page(folder, "good.md", GOOD_PAGE.replace("number: 1", "number: 3"))
    result = _run(runner, "events", folder)
    assert result.exit_code == 1
    assert f"{big}: the file is over 2 MB" in result.output
    assert f"{nul}: line 8: the file holds a NUL character" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(Meeting.source_ref)).all() == ["good"]


def test_terminal_control_characters_in_a_page_are_shown_escaped(runner, tmp_path):
    """Text from a page quoted in the command's output (here a repaired
    link) cannot send escape sequences to the terminal."""
    body = "See [\x1b[2J\x07 the slides]((https://example.org/slides)).\n"
    _page(tmp_path, "page.md", GOOD_PAGE.replace("All well.\n", body))
    result = _run(runner, "events", tmp_path / "page.md")
    assert result.exit_code == 0, result.output
    assert "repaired the link" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b[2J\\x07 the slides" in result.output


def test_uploaded_notes_that_are_not_text_write_nothing(app, client, login_as):
    """An upload that is not UTF-8, or holds a NUL, is refused (422) with
    the reason; no item or person is written."""
    add_meeting(app)
    login_as(Role.FACILITATOR)
    url = "/series/cop/meetings/1/notes/import"
    for data, words in (
        ("Point (Ann): fine\n\nPoint: Café\n".encode("latin-1"), "not UTF-8"),
        (b"Point (Ann): fine\n\nPoint: a\x00b\n", "NUL character"),
    ):
        response = post_form(client, url, {"file": (io.BytesIO(data), "n.md"), "mode": "refuse"})
        assert response.status_code == 422
        assert words in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 1
