"""The public "upcoming meetings" pages: meetings still to come, soonest
first, cancelled ones marked, times in the meeting's own zone, registration
links, subscribe links; nothing from the notes."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, MeetingStatus, Role, Series
from notesbase.notes.items import ItemFields, create_item
from notesbase.notes.people import PersonFields, create_person
from tests.support.clock_support import TODAY

# Meetings are placed around today; the clock stays on it (tests/support/clock_support.py).
pytestmark = pytest.mark.usefixtures("noon_today")
PLANTED = "Zebedee Quartermaine"
SECRET = "Project Nightjar will close in March"


def add(app, series, number, title, days, **fields) -> int:
    with app.app_context():
        meeting = Meeting(
            series=db.session.get(Series, series.id),
            number=number,
            title=title,
            date=TODAY + timedelta(days=days),
            **fields,
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


@pytest.fixture
def meetings(app, make_series):
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Other Series")
    add(
        app,
        cop,
        5,
        "Soon in London",
        3,
        start_time=time(12),
        timezone="Europe/London",
        registration_url="https://tickets.example.org/5",
    )
    add(app, cop, 6, "Called off", 5, status=MeetingStatus.CANCELLED,
        registration_url="https://tickets.example.org/6")  # fmt: skip
    add(app, cop, 4, "Already past", -10)
    add(app, cop, 7, "Held early", 8, status=MeetingStatus.HELD)
    secret_id = add(app, other, 1, "Later in New York", 3, start_time=time(9),
                    timezone="America/New_York")  # fmt: skip
    add(app, other, 2, "Next month", 30)
    with app.app_context():
        meeting = db.session.get(Meeting, secret_id)
        person = create_person(PersonFields(PLANTED, "Quillfeather Holdings"), actor=None)
        create_item(meeting, ItemFields(Kind.QUOTE, f"{PLANTED} spoke", "", person.id), actor=None)
        create_item(
            meeting,
            ItemFields(Kind.DECISION, SECRET, "", None, Confidentiality.CONFIDENTIAL),
            actor=None,
        )
        db.session.commit()
    return {"cop": cop, "other": other}


def titles_in_order(html: str, titles: list[str]) -> list[str]:
    found = [(html.index(t), t) for t in titles if t in html]
    return [t for _at, t in sorted(found)]


def test_upcoming_across_series(client, meetings):
    """Public; soonest first across zones (noon London before 9am New York),
    cancelled in its place and marked; past and held ones left out."""
    response = client.get("/upcoming")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    order = ["Soon in London", "Later in New York", "Called off", "Next month"]
    assert titles_in_order(html, [*order, "Already past", "Held early"]) == order
    assert "badge-cancelled" in html
    assert "Community of Practice: <span" in html and "Other Series: <span" in html
    assert "12pm (UK time / Europe/London)" in html and "9am (America/New_York)" in html
    assert 'href="https://tickets.example.org/5"' in html
    assert "tickets.example.org/6" not in html  # no registration for a cancelled one
    assert 'href="/calendar.ics"' in html
    assert 'href="/series/cop/calendar.ics"' in html and 'href="/series/other/calendar.ics"' in html


def test_upcoming_of_one_series(client, meetings):
    html = client.get("/series/cop/upcoming").get_data(as_text=True)
    assert "Upcoming meetings of Community of Practice" in html
    assert titles_in_order(html, ["Soon in London", "Called off", "Later in New York"]) == [
        "Soon in London",
        "Called off",
    ]
    assert 'href="/series/cop/calendar.ics"' in html
    assert "/series/other/calendar.ics" not in html


def test_unknown_series_is_404(client):
    assert client.get("/series/nope/upcoming").status_code == 404


@pytest.mark.parametrize("path", ["/upcoming", "/series/cop/upcoming"])
def test_empty_state(client, make_series, path):
    make_series("cop", "Community of Practice")
    html = client.get(path).get_data(as_text=True)
    assert "No meetings are planned yet." in html
    assert "calendar.ics" in html


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.FACILITATOR])
def test_nothing_from_the_notes(client, meetings, login_as, role):
    """Whoever reads it, the page shows public fields only."""
    if role is not None:
        login_as(role, series=[meetings["other"]])
    html = client.get("/upcoming").get_data(as_text=True)
    for term in (PLANTED, "Quartermaine", "Quillfeather", SECRET):
        assert term not in html


def test_a_meeting_today_is_still_upcoming(app, client, make_series):
    cop = make_series("cop", "Community of Practice")
    add(app, cop, 1, "Today's meeting", 0)
    assert "Today&#39;s meeting" in client.get("/upcoming").get_data(as_text=True)
