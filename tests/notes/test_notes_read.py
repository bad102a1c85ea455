"""Reading a meeting's notes: members of the series and facilitators only,
each shown exactly their audience's view; everyone else gets the 404 of a
meeting that does not exist."""

from __future__ import annotations

import re
from datetime import date

import pytest

from notesbase.consent.grants import Scope, grant
from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from tests.conftest import without_csrf

NOTES = "/series/cop/meetings/1/notes"
OPEN_TEXT = "Open point about shared data"
MEMBERS_SPAN = "members aside words"
MEMBERS_ITEM = "A members-only quote on budgets"
CONFIDENTIAL_ITEM = "Secret decision on the merger"
CONFIDENTIAL_SPAN = "hidden span words"


@pytest.fixture
def world(app, make_series):
    """Series 'cop' (meeting 1 with notes of every confidentiality, spoken by
    Jane, named to members only) and series 'other'."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other network")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        db.session.add(meeting)
        db.session.flush()
        jane = create_person(
            PersonFields("Jane Doe", "Open Data Manchester", "a data lead"), actor=None
        )
        grant(jane, "member", "named", Scope(), actor=None)
        for kind, body, confidentiality in (
            (Kind.POINT, f"{OPEN_TEXT} [{MEMBERS_SPAN}]{{.members}} end.", Confidentiality.OPEN),
            (Kind.QUOTE, MEMBERS_ITEM, Confidentiality.MEMBERS),
            (Kind.DECISION, CONFIDENTIAL_ITEM, Confidentiality.CONFIDENTIAL),
            (
                Kind.POINT,
                f"Tail [{CONFIDENTIAL_SPAN}]{{.confidential}} done.",
                Confidentiality.OPEN,
            ),
        ):
            create_item(
                meeting,
                ItemFields(kind, body, "Opening", jane.id, confidentiality),
                actor=None,
            )
        db.session.commit()
    return {"cop": cop, "other": other}


def page(client, url: str = NOTES) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_member_of_the_series_reads_open_and_members_items(client, login_as, world):
    """A member sees open and members items and spans, credited as consented,
    and nothing confidential, with no trace of the span markup."""
    login_as(Role.MEMBER, series=[world["cop"]])
    html = page(client)
    for text in (OPEN_TEXT, MEMBERS_SPAN, MEMBERS_ITEM, "Jane Doe (Open Data Manchester)"):
        assert text in html
    for text in (CONFIDENTIAL_ITEM, CONFIDENTIAL_SPAN, "redact-members", "redact-confidential"):
        assert text not in html
    assert "Opening" in html and "Quote" in html


# A logged-out visitor's 404 offers the login: tests/auth/test_members_log_in.py.
@pytest.mark.parametrize("who", ["member of no series", "other-series member"])
def test_others_get_the_404_of_a_missing_meeting(client, login_as, world, who):
    """Members who may not read the notes get exactly a missing meeting's 404."""
    if who == "member of no series":
        login_as(Role.MEMBER)
    else:
        login_as(Role.MEMBER, series=[world["other"]])
    notes = client.get(NOTES)
    missing_meeting = client.get("/series/cop/meetings/99/notes")
    missing_series = client.get("/series/nope/meetings/1/notes")
    assert notes.status_code == missing_meeting.status_code == missing_series.status_code == 404
    bodies = [without_csrf(r.get_data()) for r in (notes, missing_meeting, missing_series)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert b"There is nothing here." in bodies[0]
    assert OPEN_TEXT not in notes.get_data(as_text=True)


def test_facilitator_sees_everything_marked(client, login_as, world):
    """Facilitators see every item and span, with confidentiality unmistakably marked."""
    login_as(Role.FACILITATOR)
    html = page(client)
    for text in (OPEN_TEXT, MEMBERS_SPAN, MEMBERS_ITEM, CONFIDENTIAL_ITEM, CONFIDENTIAL_SPAN):
        assert text in html
    assert re.search(rf'<span class="redact-confidential">{CONFIDENTIAL_SPAN}</span>', html)
    assert re.search(rf'<span class="redact-members">{MEMBERS_SPAN}</span>', html)
    assert "conf-badge-confidential" in html and "conf-badge-members" in html
    assert 'href="/series/cop/meetings/1/notes/edit"' in html
    assert 'href="/series/cop/meetings/1/notes?as=public"' in html


def test_facilitator_previews_the_public_view(client, login_as, world):
    """?as=public shows a facilitator only open items and spans, names withheld."""
    login_as(Role.FACILITATOR)
    html = page(client, NOTES + "?as=public")
    assert OPEN_TEXT in html and "A participant" in html
    for text in (
        MEMBERS_SPAN,
        MEMBERS_ITEM,
        CONFIDENTIAL_ITEM,
        CONFIDENTIAL_SPAN,
        "Jane Doe",
        "Open Data Manchester",
        "redact-",
    ):
        assert text not in html


def test_facilitator_previews_the_member_view(client, login_as, world):
    """?as=member shows a facilitator what members read, nothing more."""
    login_as(Role.FACILITATOR)
    html = page(client, NOTES + "?as=member")
    assert MEMBERS_ITEM in html and "Jane Doe (Open Data Manchester)" in html
    assert CONFIDENTIAL_ITEM not in html and CONFIDENTIAL_SPAN not in html
    assert "redact-" not in html


@pytest.mark.parametrize("view_as", ["facilitator", "public", "nonsense"])
def test_members_asking_for_another_view_get_their_own(client, login_as, world, view_as):
    """A member's ?as= is ignored: never more, and no other view, than their own."""
    login_as(Role.MEMBER, series=[world["cop"]])
    html = page(client, f"{NOTES}?as={view_as}")
    assert MEMBERS_ITEM in html and MEMBERS_SPAN in html
    assert CONFIDENTIAL_ITEM not in html and "redact-" not in html
    assert "View as" not in html


def test_empty_notes_say_so(app, client, login_as, world):
    """A meeting without items shows an empty state, not an error."""
    with app.app_context():
        series = db.session.get(Series, world["cop"].id)
        db.session.add(Meeting(series=series, number=2, title="Second", date=date(2025, 2, 1)))
        db.session.commit()
    login_as(Role.MEMBER, series=[world["cop"]])
    assert "No notes have been written for this meeting yet." in page(
        client, "/series/cop/meetings/2/notes"
    )


def test_confidential_only_notes_look_empty_to_members(app, client, login_as, world):
    """Notes with only confidential items look exactly like no notes to a member."""
    with app.app_context():
        series = db.session.get(Series, world["cop"].id)
        meeting = Meeting(series=series, number=2, title="Second", date=date(2025, 2, 1))
        db.session.add(meeting)
        db.session.flush()
        create_item(
            meeting,
            ItemFields(Kind.POINT, CONFIDENTIAL_ITEM, "Secret section", None, "confidential"),
            actor=None,
        )
        db.session.commit()
    login_as(Role.MEMBER, series=[world["cop"]])
    html = page(client, "/series/cop/meetings/2/notes")
    assert "No notes have been written for this meeting yet." in html
    assert CONFIDENTIAL_ITEM not in html and "Secret section" not in html


def test_notes_print_cleanly(app, client, login_as, world):
    """The notes page is styled for print: chrome hidden, a serif for the notes."""
    login_as(Role.MEMBER, series=[world["cop"]])
    html = page(client)
    assert 'class="notes-page"' in html
    assert re.search(r'<link rel="stylesheet" media="print" href="/static/print.css', html)
    response = client.get("/static/print.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "serif" in css
    assert re.search(r"\.site-header[^{]*\{ *display: none", css)


@pytest.mark.parametrize(
    ("who", "read", "edit"),
    [("anonymous", False, False), ("member", True, False), ("facilitator", True, True)],
)
def test_meeting_page_links_to_the_notes_for_readers(client, login_as, world, who, read, edit):
    """The meeting page links to the notes only for those who may read them."""
    if who == "member":
        login_as(Role.MEMBER, series=[world["cop"]])
    elif who == "facilitator":
        login_as(Role.FACILITATOR)
    html = page(client, "/series/cop/meetings/1")
    assert (f'href="{NOTES}"' in html) is read
    assert (f'href="{NOTES}/edit"' in html) is edit
