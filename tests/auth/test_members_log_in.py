"""A logged-out visitor to a members' page (a meeting's notes and their
exports) gets a 404 that offers the login with the page as ``next``; that 404
is the same whether the page exists or not, logged-in readers keep the plain
404, and the API keeps its JSON answers."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, Role, Series
from notesbase.notes.items import ItemFields, create_item
from tests.conftest import PASSWORD, post_form

NOTES = "/series/cop/meetings/1/notes"
NOTE_TEXT = "Open point about shared data"
OFFER = "Members: log in to read this"
PLAIN = "There is nothing here."
# Each members' page of an existing meeting, of a missing meeting and of a missing series.
MEMBER_PAGES = ["", ".md", "/print", ".pdf"]


@pytest.fixture
def world(app, make_series):
    """Series 'cop' with meeting 1 and one open item; series 'other' with none."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other network")
    with app.app_context():
        meeting = Meeting(
            series=db.session.get(Series, cop.id), number=1, title="First", date=date(2025, 1, 15)
        )
        db.session.add(meeting)
        db.session.flush()
        create_item(
            meeting, ItemFields(Kind.POINT, NOTE_TEXT, "", None, Confidentiality.OPEN), actor=None
        )
        db.session.commit()
    return {"cop": cop, "other": other}


def login_link(html: str) -> str:
    """The href of the 404's login link."""
    start = html.index('<a href="/login?next=') + len('<a href="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def next_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["next"][0]


@pytest.mark.parametrize("suffix", MEMBER_PAGES)
def test_logged_out_visitor_is_offered_the_login(client, world, suffix):
    """The 404 of a members' page says members should log in, with the page as ``next``."""
    response = client.get(NOTES + suffix)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert OFFER in html and PLAIN not in html
    assert next_of(login_link(html)) == NOTES + suffix
    assert NOTE_TEXT not in html


@pytest.mark.parametrize("suffix", MEMBER_PAGES)
def test_the_offer_reveals_nothing_about_what_exists(client, world, suffix):
    """An existing meeting, a missing meeting and a missing series give the same
    status, headers and body, apart from the page named in ``next``."""
    urls = [
        NOTES + suffix,
        "/series/cop/meetings/99/notes" + suffix,
        "/series/nope/meetings/1/notes" + suffix,
        "/series/other/meetings/1/notes" + suffix,
    ]
    responses = [client.get(url) for url in urls]
    assert {r.status_code for r in responses} == {404}
    bodies = {
        r.get_data(as_text=True).replace(next_of(login_link(r.get_data(as_text=True))), "PAGE")
        for r in responses
    }
    assert len(bodies) == 1
    assert len({tuple(sorted(k for k, _ in r.headers if k != "Date")) for r in responses}) == 1
    assert len({r.headers["Content-Type"] for r in responses}) == 1


def test_same_address_same_bytes_whether_or_not_the_meeting_exists(app, client, make_series):
    """The very same address answers byte for byte alike before and after its meeting exists."""
    series = make_series("cop", "Community of Practice")
    before = client.get(NOTES)
    with app.app_context():
        db.session.add(
            Meeting(series_id=series.id, number=1, title="First", date=date(2025, 1, 15))
        )
        db.session.commit()
    after = client.get(NOTES)
    assert before.status_code == after.status_code == 404
    assert before.get_data() == after.get_data()
    assert OFFER in after.get_data(as_text=True)


def test_the_query_comes_back_too(client, world):
    """``next`` keeps the page's query, so the reader lands where the link pointed."""
    html = client.get(NOTES + "?as=public").get_data(as_text=True)
    assert next_of(login_link(html)) == NOTES + "?as=public"


def test_following_the_offer_lands_on_the_notes(client, make_member, world):
    """A member who logs in from the offer is taken back to the notes and reads them."""
    make_member("member@example.org", series=[world["cop"]])
    link = login_link(client.get(NOTES).get_data(as_text=True))
    login_page = client.get(link).get_data(as_text=True)
    assert f'name="next" type="hidden" value="{NOTES}"' in login_page
    response = post_form(
        client,
        "/login",
        {"email": "member@example.org", "password": PASSWORD, "next": next_of(link)},
        page=link,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == NOTES
    assert NOTE_TEXT in client.get(NOTES).get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_an_attacker_s_next_is_dropped(client, make_member, target):
    """A login link carrying an off-site ``next`` neither keeps it in the form
    nor follows it: the login lands on the home page."""
    make_member("member@example.org")
    link = f"/login?next={target}"
    assert "evil.example" not in client.get(link).get_data(as_text=True)
    response = post_form(
        client,
        "/login",
        {"email": "member@example.org", "password": PASSWORD, "next": target},
        page=link,
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("series", [[], ["other"]])
def test_logged_in_readers_keep_the_plain_404(client, login_as, world, series):
    """A member who may not read the notes gets the plain 404, with no login offer."""
    login_as(Role.MEMBER, series=[world[s] for s in series])
    for url in (NOTES, "/series/cop/meetings/99/notes", NOTES + ".md"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert PLAIN in html and OFFER not in html and "next=" not in html


@pytest.mark.parametrize(
    "url", ["/series/nope", "/series/cop/meetings/99", "/topics/nope", "/no/such/page"]
)
def test_public_pages_keep_the_plain_404(client, world, url):
    """A missing public page is missing for members too: no login is offered."""
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert PLAIN in html and OFFER not in html


def test_facilitator_pages_still_send_to_the_login(client, world):
    """Pages for facilitators redirect a logged-out visitor to the login, existing or not."""
    for url in ("/series/cop/meetings/1/notes/edit", "/series/cop/meetings/99/notes/edit"):
        response = client.get(url)
        assert response.status_code == 302
        assert next_of(response.headers["Location"]) == url


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/series/nope/meetings/1", 404),
        ("/api/v1/series/cop/meetings/99", 404),
        ("/api/v1/items/1", 401),
        ("/api/v1/no/such/thing", 404),
    ],
)
def test_the_api_keeps_its_json_answers(client, world, url, status):
    """The API answers a logged-out caller in JSON, with no login page."""
    response = client.get(url)
    assert response.status_code == status
    assert response.is_json
    assert OFFER not in response.get_data(as_text=True)


# Facilitators' pages a link in an email may lead to while logged out.
FACILITATOR_PAGES = ["/leak-check", "/circulate", "/circulate/confirm"]


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_facilitator_pages_offer_the_login_and_reveal_nothing(client, world, page):
    """The leak check and the circulation pages, logged out: the same 404
    with the login offer for an existing and a missing meeting."""
    urls = ["/series/cop/meetings/1" + page, "/series/nope/meetings/9" + page]
    responses = [client.get(url) for url in urls]
    assert {r.status_code for r in responses} == {404}
    for url, response in zip(urls, responses, strict=True):
        html = response.get_data(as_text=True)
        assert OFFER in html and NOTE_TEXT not in html
        assert next_of(login_link(html)) == url
    bodies = {
        r.get_data(as_text=True).replace(url, "PAGE")
        for url, r in zip(urls, responses, strict=True)
    }
    assert len(bodies) == 1
