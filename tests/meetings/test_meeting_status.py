"""One status vocabulary everywhere: Upcoming, Held, Cancelled. A meeting is
upcoming until its day has passed, then held unless cancelled, whatever it was
stored as; the meeting form, the pages, the API and the importer all say so."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.importing.events import import_event_pages
from notesbase.models import Meeting, MeetingStatus, Role, Series
from tests.api.api_support import build_world, send
from tests.conftest import post_form
from tests.support.clock_support import TODAY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "events" / "2025-07-09-community-of-practice.md"
PAST = TODAY - timedelta(days=3)
FUTURE = TODAY + timedelta(days=3)


def stored_status(app, number: int) -> MeetingStatus:
    with app.app_context():
        return db.session.scalar(sa.select(Meeting.status).where(Meeting.number == number))


def selected_status(html: str) -> str:
    """The option the meeting form's status menu has selected."""
    menu = re.search(r'<select[^>]*name="status".*?</select>', html, re.S)
    assert menu is not None
    chosen = re.findall(r"<option selected value=\"(\w+)\">(\w+)</option>", menu.group(0))
    assert len(chosen) == 1, menu.group(0)
    return chosen[0][1]


def badge(html: str) -> str:
    found = re.findall(r'<span class="badge badge-(\w+)">(\w+)</span>', html)
    assert len(found) == 1, found
    return found[0][1]


@pytest.fixture
def gone_by(app, make_series):
    """Meeting 1 of 'cop', stored as upcoming (as an old import left it), dated three days ago."""
    series = make_series()
    with app.app_context():
        db.session.add(
            Meeting(
                series_id=series.id,
                number=1,
                title="Gone by",
                date=PAST,
                status=MeetingStatus.UPCOMING,
            )
        )
        db.session.commit()
    return series


@pytest.mark.usefixtures("noon_today")
def test_page_form_and_api_agree_on_a_meeting_whose_day_has_passed(client, login_as, gone_by):
    """Stored as upcoming, dated before today: the page, the edit form and the API all say held."""
    assert badge(client.get("/series/cop/meetings/1").get_data(as_text=True)) == "Held"
    api = client.get("/api/v1/series/cop/meetings/1").get_json()
    assert (api["status"], api["upcoming"]) == ("held", False)
    login_as(Role.FACILITATOR)
    form = client.get("/series/cop/meetings/1/edit").get_data(as_text=True)
    assert selected_status(form) == "Held"


@pytest.mark.usefixtures("noon_today")
def test_saving_unchanged_stores_what_the_page_showed(app, client, login_as, gone_by):
    """Saving the edit form as it came stores held, with no note: the form showed held."""
    login_as(Role.FACILITATOR)
    response = post_form(
        client,
        "/series/cop/meetings/1/edit",
        {
            "number": "1",
            "title": "Gone by",
            "date": PAST.isoformat(),
            "status": "held",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 302
    assert stored_status(app, 1) == MeetingStatus.HELD
    assert "saved as held" not in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.usefixtures("noon_today")
@pytest.mark.parametrize(
    ("day", "stored", "note"),
    [
        (PAST, MeetingStatus.HELD, True),
        (TODAY, MeetingStatus.UPCOMING, False),
        (FUTURE, MeetingStatus.UPCOMING, False),
    ],
)
def test_form_saves_a_past_upcoming_meeting_as_held_and_says_so(
    app, client, login_as, make_series, day, stored, note
):
    """A new meeting asked as upcoming but dated before today is saved as held,
    with a note saying why; on its day or later it stays upcoming."""
    make_series()
    login_as(Role.FACILITATOR)
    response = post_form(
        client,
        "/series/cop/meetings/new",
        {
            "number": "1",
            "title": "First",
            "date": day.isoformat(),
            "status": "upcoming",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 302
    assert stored_status(app, 1) == stored
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Meeting 1 is dated before today, so it is saved as held" in html) is note
    assert badge(html) == stored.label


@pytest.mark.usefixtures("noon_today")
def test_form_keeps_cancelled_and_offers_the_same_words(client, login_as, make_series):
    """A cancelled past meeting stays cancelled; the menu's words are the badge's words."""
    make_series()
    login_as(Role.FACILITATOR)
    form = client.get("/series/cop/meetings/new").get_data(as_text=True)
    assert re.findall(r'<option (?:selected )?value="\w+">(\w+)</option>', form)[-3:] == [
        "Upcoming",
        "Held",
        "Cancelled",
    ]
    response = post_form(
        client,
        "/series/cop/meetings/new",
        {
            "number": "1",
            "title": "First",
            "date": PAST.isoformat(),
            "status": "cancelled",
            "timezone": "Europe/London",
        },
    )
    assert badge(client.get(response.headers["Location"]).get_data(as_text=True)) == "Cancelled"


@pytest.mark.usefixtures("noon_today")
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"date": PAST.isoformat()}, "held"),
        ({"date": PAST.isoformat(), "status": "upcoming"}, "held"),
        ({"date": PAST.isoformat(), "status": "cancelled"}, "cancelled"),
        ({"date": FUTURE.isoformat()}, "upcoming"),
    ],
)
def test_api_creates_by_the_same_rule(app, client, make_member, make_series, body, status):
    """The API stores and answers the status the pages show."""
    world = build_world(app, make_member, make_series)
    response = send(
        client,
        "POST",
        "/api/v1/series/cop/meetings",
        "facilitator",
        world,
        {"number": 3, "title": "Third", **body},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["status"] == status
    assert stored_status(app, 3) == MeetingStatus(status)


def test_importer_repairs_and_the_pages_agree(app, client, login_as):
    """The real page says 'upcoming: true' on 9 July 2025: imported after that
    day it is stored held, the importer says so, and every place reads Held."""
    with app.app_context():
        report = import_event_pages([REAL], today=date(2025, 7, 10))
        db.session.commit()
        slug = db.session.scalars(sa.select(Series.slug)).one()
    notices = [str(n) for n in report.files[0].notices]
    assert any("imported as held" in n for n in notices), notices
    assert not any("kept 'upcoming'" in n for n in notices)
    assert stored_status(app, 10) == MeetingStatus.HELD
    url = f"/series/{slug}/meetings/10"
    assert badge(client.get(url).get_data(as_text=True)) == "Held"
    assert client.get(f"/api/v1/series/{slug}/meetings/10").get_json()["status"] == "held"
    login_as(Role.FACILITATOR)
    assert selected_status(client.get(url + "/edit").get_data(as_text=True)) == "Held"


def test_importer_keeps_upcoming_until_the_day_has_passed(app):
    """Imported on the meeting's own day, the real page stays upcoming, with no warning."""
    with app.app_context():
        report = import_event_pages([REAL], today=date(2025, 7, 9))
        db.session.commit()
    assert not any("imported as held" in str(n) for n in report.files[0].notices)
    assert stored_status(app, 10) == MeetingStatus.UPCOMING
