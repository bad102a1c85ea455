"""Exports of the circulated notes (Markdown, print page): members of the
series and facilitators only, the members' view and nothing more, no author
or person ids, and nothing served while the leak check has a finding."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Audience, Kind
from notesbase.disclosure.render import to_text
from notesbase.models import Meeting, Member, Person, Role
from notesbase.notes.items import ItemFields, create_item
from notesbase.publishing.exports.notes import CHANNEL, CHATHAM_HOUSE_LINE, export_fields
from notesbase.publishing.leakcheck import check as leakcheck
from tests.conftest import without_csrf
from tests.publishing.exports.exports_support import (
    CONFIDENTIAL,
    JANE,
    JANE_ORG,
    MARKDOWN,
    MEMBERS_ONLY,
    PLANTED,
    PRINT,
    REDACTED,
    assert_clean,
    world_fixture,  # noqa: F401 - a fixture
)


@pytest.fixture
def member(world, login_as):
    return login_as(Role.MEMBER, "reader@example.org", series=[world["cop"]])


# --- access ------------------------------------------------------------------


@pytest.mark.parametrize("path", [MARKDOWN, PRINT])
@pytest.mark.parametrize(
    ("who", "status"),
    [("public", 404), ("other series", 404), ("member", 200), ("facilitator", 200), ("admin", 200)],
)
def test_who_may_export(client, world, login_as, path, who, status):
    """Members of the series and facilitators export; everyone else gets the
    404 of a missing meeting (to the public, one naming the page it offers
    the login for)."""
    if who == "other series":
        login_as(Role.MEMBER, "outsider@example.org", series=[world["other"]])
    elif who == "member":
        login_as(Role.MEMBER, "reader@example.org", series=[world["cop"]])
    elif who in ("facilitator", "admin"):
        login_as(Role(who), f"{who}@example.org")
    response = client.get(path)
    assert response.status_code == status
    if status == 404:
        missing = client.get(path.replace("/meetings/1/", "/meetings/99/"))
        assert re.sub(rb"next=[^\"]*", b"", without_csrf(response.get_data())) == re.sub(
            rb"next=[^\"]*", b"", without_csrf(missing.get_data())
        )


@pytest.mark.parametrize(
    "path", ["/series/nope/meetings/1/notes.md", "/series/cop/meetings/99/notes/print"]
)
def test_missing_series_or_meeting_is_404(client, member, path):
    """A meeting that does not exist is a 404, for members too."""
    assert client.get(path).status_code == 404


# --- Markdown ----------------------------------------------------------------


def test_markdown_is_the_members_view(client, member):
    """Heading, reminder, sections and items with kind and attribution; the
    members' item in, the confidential item and span out."""
    response = client.get(MARKDOWN)
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=cop-meeting-1-notes.md"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "# Meeting 1: Roundtable on shared data"
    assert CHATHAM_HOUSE_LINE in lines[:4]
    assert "Community of Practice · Tuesday 10 June 2025, 6pm" in text
    assert "## Opening" in text and "## Discussion" in text
    assert f"- **Quote** · {JANE} ({JANE_ORG})\n\n  Share the *data*, openly." in text
    assert MEMBERS_ONLY in text and "**Point** · A participant" in text
    assert "**Decision**" not in text
    assert_clean(text, "Markdown")
    assert response.headers["Cache-Control"] == "no-store"


def test_markdown_for_a_facilitator_is_still_the_members_view(client, world, login_as):
    """A facilitator exports what members were circulated, not their own view."""
    login_as(Role.FACILITATOR, "facilitator@example.org")
    text = client.get(MARKDOWN).get_data(as_text=True)
    assert MEMBERS_ONLY in text
    assert CONFIDENTIAL not in text and REDACTED not in text


def test_a_consent_withdrawal_shows_in_the_next_export(app, client, member, world):
    """Jane withdraws: the very next export no longer names her."""
    assert JANE in client.get(MARKDOWN).get_data(as_text=True)
    with app.app_context():
        jane = db.session.get(Person, world["jane"])
        grants.withdraw_all(jane, actor=None)
        db.session.commit()
    text = client.get(MARKDOWN).get_data(as_text=True)
    assert JANE not in text and JANE_ORG not in text


# --- print page ----------------------------------------------------------------


def test_print_page(client, member):
    """The print page: the same notes, the print stylesheet, download links."""
    response = client.get(PRINT)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'rel="stylesheet" media="print" href="/static/print.css"' in html
    assert "<h1>Notes of meeting 1: Roundtable on shared data</h1>" in html
    assert CHATHAM_HOUSE_LINE in html
    assert MEMBERS_ONLY in html and f"{JANE} ({JANE_ORG})" in html
    assert 'href="/series/cop/meetings/1/notes.md"' in html
    assert_clean(to_text(html), "print page")
    assert_clean(html, "print page HTML")
    assert not re.search(r'<script(?! src="/static/)', html) and "style=" not in html


def test_print_stylesheet_is_served(client):
    """static/print.css exists and sets up the printed page."""
    response = client.get("/static/print.css")
    assert response.status_code == 200
    assert b"@page" in response.get_data()
    response.close()


# --- the leak check --------------------------------------------------------------


def test_the_channel_is_registered_with_every_piece(app, world):
    """``notes-export`` is a members' channel whose fields cover the file
    names, the Markdown and the print page."""
    channel = leakcheck.CHANNELS[CHANNEL]
    assert channel.audience is Audience.MEMBER
    with app.app_context(), app.test_request_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        fields = channel.fields(meeting)
        assert fields == export_fields(meeting)
    wheres = [field.where for field in fields]
    assert {"Markdown file name", "PDF file name", "Markdown, heading"} <= set(wheres)
    assert any(w.startswith("Markdown, item") for w in wheres)
    assert "print page and PDF, text" in wheres
    everything = "\n".join(field.text for field in fields)
    assert "cop-meeting-1-notes.md" in everything and MEMBERS_ONLY in everything


def test_the_fields_need_no_request(app, world):
    """The check can run from the command line: the fields need only the app."""
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        assert any(f.where == "print page and PDF, text" for f in export_fields(meeting))


@pytest.mark.parametrize(
    "path", ["/series/cop/meetings/2/notes.md", "/series/cop/meetings/2/notes/print"]
)
def test_a_finding_refuses_the_export_for_members(client, member, path):
    """A name in the title is a finding: 409, nothing exported, and the member
    is not told what was found (that is what they may not see)."""
    response = client.get(path)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "cannot be exported yet" in html
    assert "leak-findings" not in html and "/leak-check" not in html
    assert "A quiet chat." not in html
    assert "Content-Disposition" not in response.headers


def test_a_finding_is_listed_for_facilitators(client, world, login_as):
    """Facilitators see each finding and the way to the leak-check page."""
    login_as(Role.FACILITATOR, "facilitator@example.org")
    response = client.get("/series/cop/meetings/2/notes.md")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "leak-findings" in html
    assert 'href="/series/cop/meetings/2/leak-check"' in html
    assert "the meeting's details (Markdown" in unescape(html) and "Quartermaine" in html
    assert "A quiet chat." not in html
    leak_page = client.get("/series/cop/meetings/2/leak-check")
    assert leak_page.status_code == 200
    assert "Notes for members (exports)" in leak_page.get_data(as_text=True)


def test_a_first_name_left_in_a_body_refuses_the_export(app, client, member, world):
    """A first name alone (which ``disclose`` leaves) stops the export."""
    assert client.get(MARKDOWN).status_code == 200
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        body = f"Ask {PLANTED.split()[0]} about the figures."
        create_item(meeting, ItemFields(Kind.POINT, body), actor=None)
        db.session.commit()
    for path in (MARKDOWN, PRINT):
        response = client.get(path)
        assert response.status_code == 409
        assert PLANTED.split()[0] not in response.get_data(as_text=True)


def test_the_check_reads_the_very_export_served(app, client, member, monkeypatch):
    """What the leak check reads is what is served, byte for byte."""
    seen: list[str] = []
    check = leakcheck.check

    def spy(meeting: Meeting, channel: str) -> leakcheck.LeakReport:
        seen.extend(
            f.text
            for f in leakcheck.CHANNELS[channel].fields(meeting)
            if "Markdown" in f.where and "file" not in f.where
        )
        return check(meeting, channel)

    monkeypatch.setattr(leakcheck, "check", spy)
    served = client.get(MARKDOWN).get_data(as_text=True)
    assert "".join(seen) == served


# --- command line ----------------------------------------------------------------


def test_cli_writes_the_markdown(app, runner, world, tmp_path):
    """``notesbase export notes-md`` writes what the web export serves."""
    out = tmp_path / "notes.md"
    result = runner.invoke(args=["export", "notes-md", "cop", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Meeting 1: Roundtable on shared data\n")
    assert_clean(text, "CLI Markdown")


def test_cli_refuses_on_a_finding(runner, world):
    """A standing finding: exit 1, nothing written."""
    result = runner.invoke(args=["export", "notes-md", "cop", "2"])
    assert result.exit_code == 1
    assert "leak check" in result.output and "A quiet chat." not in result.output


def test_cli_missing_meeting(runner, world):
    result = runner.invoke(args=["export", "notes-md", "cop", "9"])
    assert result.exit_code == 1 and "no meeting 9" in result.output


def test_an_override_lets_the_export_through(app, client, world, login_as):
    """Once a facilitator overrides the title's finding with a reason, the
    export of meeting 2 is served."""
    facilitator = login_as(Role.FACILITATOR, "facilitator@example.org")
    path = "/series/cop/meetings/2/notes.md"
    assert client.get(path).status_code == 409
    with app.app_context(), app.test_request_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 2))
        report = leakcheck.check(meeting, CHANNEL)
        for finding in report.blocking:
            reason = "The guest asked to be named in the title."
            leakcheck.override(
                meeting, CHANNEL, finding.key, reason, actor=db.session.get(Member, facilitator.id)
            )
        db.session.commit()
    response = client.get(path)
    assert response.status_code == 200
    assert "A quiet chat." in response.get_data(as_text=True)


def test_confidential_text_copied_into_an_open_item_refuses_the_export(app, client, member, world):
    """Copying a confidential passage into an open item is a leak, even
    though the copy is part of what members may read."""
    assert client.get(MARKDOWN).status_code == 200
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
        create_item(meeting, ItemFields(Kind.POINT, f"As noted: {CONFIDENTIAL}"), actor=None)
        db.session.commit()
    for path in (MARKDOWN, PRINT):
        response = client.get(path)
        assert response.status_code == 409
        assert CONFIDENTIAL not in response.get_data(as_text=True)
