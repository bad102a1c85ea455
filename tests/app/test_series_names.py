"""Two series with the same title are told apart by their slug wherever
series are offered for choice (the search filter, the invitation and member
checkboxes, consent scopes), and search results name the series once when
the reader searches a single one."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import pytest

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Meeting, Member, Person, Role, Series
from notesbase.notes import items
from notesbase.series_names import series_labels
from tests.conftest import PASSWORD, post_form

WORD = "quillomantic"


@dataclass
class Row:
    id: int
    slug: str
    title: str


def test_labels_add_the_slug_only_where_titles_collide():
    """A title shared (whatever its case or spacing) gets the slug beside it;
    a title of its own stays as it is."""
    labels = series_labels(
        [
            Row(1, "cop", "Community of Practice"),
            Row(2, "cop-north", "community of  practice"),
            Row(3, "other", "Other Network"),
        ]
    )
    assert labels == {
        1: "Community of Practice (cop)",
        2: "community of  practice (cop-north)",
        3: "Other Network",
    }


@pytest.fixture
def twins(app, make_member, make_series):
    """Two series titled alike, a third of its own, a meeting in each twin
    with an item holding WORD; an admin, a facilitator and a member of both twins."""
    twins = [make_series("cop"), make_series("cop-north")]
    make_series("other", "Other Network")
    with app.app_context():
        for number, series in enumerate(twins, start=1):
            meeting = Meeting(series_id=series.id, number=number, title=f"Gathering {number}")
            meeting.date = date(2025, 1, number)
            db.session.add(meeting)
            db.session.flush()
            items.create_item(meeting, items.ItemFields(Kind.POINT, f"{WORD} {number}"), actor=None)
        person = Person(name="Jane Doe")
        db.session.add(person)
        db.session.commit()
        person_id = person.id
    member = make_member("member@example.org")
    with app.app_context():
        db.session.get(Member, member.id).series = [db.session.get(Series, t.id) for t in twins]
        db.session.commit()
    make_member("fac@example.org", role=Role.FACILITATOR)
    make_member("admin@example.org", role=Role.ADMIN)
    return {"person": person_id}


def logged_in(app, email):
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_search_filter_tells_twins_apart(app, twins):
    """Each twin is offered as 'title (slug)'; the series of its own is not."""
    page = app.test_client().get("/search").get_data(as_text=True)
    options = re.findall(r'<option value="([a-z-]+)">([^<]*)</option>', page)
    assert ("cop", "Community of Practice (cop)") in options
    assert ("cop-north", "Community of Practice (cop-north)") in options
    assert ("other", "Other Network") in options


@pytest.mark.parametrize("url", ["/", "/upcoming"])
def test_the_lists_of_series_tell_twins_apart(app, twins, url):
    """The list of series and the list of series' calendars name each twin by slug."""
    page = text(app.test_client().get(url).get_data(as_text=True))
    assert "Community of Practice (cop)" in page and "Community of Practice (cop-north)" in page
    assert "Other Network (other)" not in page


def test_results_of_one_series_name_it_once(app, twins):
    """Searching one series names it in the count line and on no card;
    searching all names each hit's series, told apart, beside the meeting."""
    client = logged_in(app, "member@example.org")
    page = client.get(f"/search?q={WORD}&series=cop-north").get_data(as_text=True)
    cards = re.findall(r'<li class="search-hit">(.*?)</li>', page, re.S)
    assert len(cards) == 1
    assert "Community of Practice" not in cards[0]
    assert "Meeting 2: Gathering 2" in cards[0]
    assert "1 result in Community of Practice (cop-north)." in text(page)
    twins = ["Community of Practice (cop)", "Community of Practice (cop-north)"]
    for query in (f"q={WORD}", f"q={WORD}&series=cop&series=cop-north"):
        page = client.get(f"/search?{query}").get_data(as_text=True)
        assert sorted(re.findall(r'<span class="series-name">([^<]*)</span>', page)) == twins
        assert "2 results." in text(page)


def test_invitation_and_member_checkboxes_tell_twins_apart(app, twins):
    """The admin's checkboxes label each twin with its slug."""
    client = logged_in(app, "admin@example.org")
    for url in ("/admin/invites", "/admin/members/1"):
        page = text(client.get(url).get_data(as_text=True))
        assert "Community of Practice (cop)" in page, url
        assert "Community of Practice (cop-north)" in page, url
        assert "Other Network (other)" not in page, url


def test_consent_scopes_tell_twins_apart(app, twins):
    """A facilitator recording consent chooses between the twins by slug,
    for a whole series and for a meeting."""
    client = logged_in(app, "fac@example.org")
    page = text(client.get(f"/people/{twins['person']}").get_data(as_text=True))
    assert "Every meeting of Community of Practice (cop-north)" in page
    assert "Meeting 1 of Community of Practice (cop): Gathering 1" in page
    assert "Every meeting of Other Network" in page
