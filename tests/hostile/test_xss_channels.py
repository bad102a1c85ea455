"""Every payload of the XSS corpus, planted in every text field, stays inert
in every channel: HTML pages (public, member, facilitator), search, the
email (headers, plain and HTML parts), Atom feeds, calendar feeds, the
Markdown, print and notes-file exports and the JSON API. Checked with real
parsers (see ``checks``), never by looking for substrings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from markupsafe import escape

from notesbase.db import db
from notesbase.models import Meeting, Series
from notesbase.notes import notesfile
from notesbase.publishing.circulation import mail, mail_settings
from notesbase.publishing.circulation import message as letters
from notesbase.publishing.writeups import export as writeup_export
from notesbase.publishing.writeups.public import public_writeup
from notesbase.text import clean_line
from tests.conftest import build_app as fresh_app
from tests.hostile import checks_support as checks
from tests.hostile.world_support import (
    ADMIN,
    COP_MEETING,
    FACILITATOR,
    MEMBER,
    World,
    build,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, suite_postgres: str | None) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("hostile")
    # An app of its own (the suite's PostgreSQL database emptied, or a new
    # SQLite file), built once for the module.
    app = fresh_app(folder, suite_postgres)
    app.config["BASE_URL"] = "http://localhost"  # for the link in the email
    try:
        yield build(app)
    finally:
        with app.app_context():
            db.engine.dispose()


def _series_count(world: World) -> int:
    return len(world.titles)


def _get_inert(client, url: str, who: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    text = response.get_data(as_text=True)
    checks.assert_inert_html(text, f"{who} {url}")
    return text


def test_public_pages_are_inert(world: World) -> None:
    """The public's pages: the index, every series, meeting, topic and
    write-up page, the upcoming list."""
    client = world.client()
    urls = ["/", "/topics/", "/upcoming", COP_MEETING, COP_MEETING + "/writeup"]
    for index in range(_series_count(world)):
        urls += [f"/series/s{index}", f"/series/s{index}/meetings/1"]
        urls += [f"/series/s{index}/meetings/1/writeup", f"/series/s{index}/upcoming"]
    with world.app.app_context():
        slugs = db.session.scalars(sa.text("SELECT slug FROM topics")).all()
    assert slugs
    urls += [f"/topics/{slug}" for slug in slugs]
    for url in urls:
        _get_inert(client, url, "public")


def test_member_pages_are_inert(world: World) -> None:
    """A member's notes page, print page, account page and attributions,
    where every payload is a body, a section, a credit and a display name."""
    client = world.client(MEMBER)
    for url in [
        "/",
        COP_MEETING,
        COP_MEETING + "/notes",
        COP_MEETING + "/notes/print",
        "/account",
        "/me/attributions",
    ]:
        _get_inert(client, url, "member")


def test_facilitator_pages_are_inert(world: World) -> None:
    """The facilitator's views: every audience of the notes, the editor and
    each item's form and history, the preview, leak check, circulation and
    write-up pages, the people pages, and the admin's member list and audit
    log (which names people, series and meetings)."""
    client = world.client(FACILITATOR)
    urls = [
        COP_MEETING + "/notes",
        COP_MEETING + "/notes?as=member",
        COP_MEETING + "/notes?as=public",
        COP_MEETING + "/notes/edit",
        COP_MEETING + "/notes/preview",
        COP_MEETING + "/notes/reorder",
        COP_MEETING + "/notes/import",
        COP_MEETING + "/leak-check",
        COP_MEETING + "/circulate",
        COP_MEETING + "/circulate/confirm",
        COP_MEETING + "/writeup/edit",
        COP_MEETING + "/writeup/preview",
        COP_MEETING + "/edit",
        "/series/s0/edit",
        "/people/",
    ]
    urls += [f"/people/{person}" for person in world.person_ids]
    urls += [f"/people/?q={quote(title)}" for title in world.titles[:4]]
    hostile = world.item_ids[: world.hostile_items]
    urls += [f"{COP_MEETING}/notes/items/{item}/edit" for item in hostile]
    urls += [f"{COP_MEETING}/notes/items/{world.item_ids[0]}/history"]
    urls += [f"/series/s{index}/meetings/1/edit" for index in range(_series_count(world))]
    for url in urls:
        _get_inert(client, url, "facilitator")
    admin = world.client(ADMIN)
    _get_inert(admin, "/admin/members", "admin")
    _get_inert(admin, "/admin/audit", "admin")


def test_template_syntax_is_shown_literally(world: World) -> None:
    """A title that looks like a template is text: shown as typed, never run."""
    client = world.client()
    shown = 0
    for index, title in enumerate(world.titles):
        if "{{" in title or "{%" in title:
            page = client.get(f"/series/s{index}/meetings/1").get_data(as_text=True)
            assert str(escape(clean_line(title))) in page  # as stored: on one line
            assert "SECRET_KEY" not in page and "XXX" not in page
            shown += 1
    assert shown


def test_search_is_inert(world: World) -> None:
    """Each payload as a query, on the search page (where the query is shown
    back in the form) and in the API."""
    client = world.client(MEMBER)
    bearer = world.bearer(MEMBER)
    for index, payload in enumerate(world.titles):
        query = quote(payload)
        response = client.get(f"/search?q={query}")
        assert response.status_code in (200, 400), (payload[:40], response.status_code)
        checks.assert_inert_html(response.get_data(as_text=True), f"search {payload[:40]!r}")
        if index > 3:  # the API shares the page's search: a few queries will do
            continue
        api = client.get(f"/api/v1/search?q={query}", headers=bearer)
        assert api.status_code in (200, 400), (payload[:40], api.status_code)
        assert api.mimetype == "application/json"
        for hit in api.get_json().get("results", []):
            checks.assert_inert_html(hit["snippet_html"], f"search API {payload[:40]!r}")


def test_api_json_is_inert(world: World) -> None:
    """The API answers JSON (never HTML), and its HTML fields are inert."""
    client = world.client()
    listing = client.get("/api/v1/series")
    assert listing.mimetype == "application/json"
    for index in range(_series_count(world)):
        response = client.get(f"/api/v1/series/s{index}/meetings/1")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
    detail = client.get("/api/v1/series/cop/meetings/1", headers=world.bearer(MEMBER))
    assert detail.mimetype == "application/json"
    shown = detail.get_json()["items"]
    assert len(shown) == len(world.item_ids)
    for item in shown:
        checks.assert_inert_html(item["body_html"], f"API item {item['id']}")


def test_email_is_inert(world: World) -> None:
    """The circulated notes: one .eml per member, whose display name is a
    payload, with only our headers and inert HTML; and a message for every
    meeting whose title is a payload (the subject line)."""
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["circulate", "cop", "1", "--yes"])
    assert result.exit_code == 0, result.output
    outbox = Path(world.app.instance_path) / "outbox"
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == len(world.names)
    for path in files:
        checks.assert_inert_email(path.read_bytes(), path.name)
    with world.app.app_context():
        settings = mail_settings.settings_for(world.app)
        for meeting in db.session.scalars(sa.select(Meeting).join(Series)):
            letter = letters.compose(meeting, "http://localhost/notes")
            title = " ".join(meeting.title.split())
            message = letters.build_message(
                letter, letters.Recipient(title[:120], "someone@example.org"), settings
            )
            checks.assert_inert_email(mail.wire_bytes(message), f"meeting {meeting.id}")


def test_calendar_is_inert(world: World) -> None:
    """Both calendar feeds: one event per meeting, only our properties, no
    line a title could add."""
    client = world.client()
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    checks.assert_inert_calendar(response.data, _series_count(world) + 1, "/calendar.ics")
    for index in range(_series_count(world)):
        url = f"/series/s{index}/calendar.ics"
        checks.assert_inert_calendar(client.get(url).data, 1, url)


def test_atom_feeds_are_inert(world: World) -> None:
    """The Atom feeds: well-formed, text content only, web links only."""
    client = world.client()
    checks.assert_inert_atom(client.get("/writeups.atom").data, "/writeups.atom")
    for slug in ["cop", *(f"s{i}" for i in range(_series_count(world)))]:
        url = f"/series/{slug}/writeups.atom"
        response = client.get(url)
        assert response.status_code == 200, url
        feed = checks.assert_inert_atom(response.data, url)
        assert len(feed.findall(checks.ATOM + "entry")) == 1, url


def test_markdown_exports_are_inert(world: World) -> None:
    """The Markdown exports render to inert HTML even where raw HTML is
    allowed (the network's Jekyll site), and the write-up page's front
    matter keeps its own keys whatever the titles hold."""
    member = world.client(MEMBER)
    notes = member.get(COP_MEETING + "/notes.md")
    assert notes.status_code == 200
    checks.assert_inert_markdown(notes.get_data(as_text=True), "notes.md")
    facilitator = world.client(FACILITATOR)
    cop = facilitator.get(COP_MEETING + "/writeup.md")
    assert cop.status_code == 200
    pages = {"cop writeup.md": cop.get_data(as_text=True)}
    with world.app.app_context():
        # The page the export serves once the leak check passes (it refuses
        # some of these titles as look-alike attendee lists).
        for meeting in db.session.scalars(sa.select(Meeting)):
            pages[meeting.series.slug] = writeup_export.markdown_page(public_writeup(meeting))
    for where, page in pages.items():
        matter = checks.front_matter(page)
        assert set(matter) <= checks.FRONT_MATTER_KEYS, (where, matter)
        checks.assert_inert_markdown(page.split("\n---\n", 1)[1], where)


def test_notes_file_export_round_trips(world: World) -> None:
    """The notes file (raw notes, for facilitators) is a download, never a
    page, and reads back to the same items however hostile their text."""
    facilitator = world.client(FACILITATOR)
    response = facilitator.get(COP_MEETING + "/notes/export")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert response.mimetype != "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    parsed = notesfile.parse_notes(text)
    assert len(parsed.items) == len(world.item_ids)
