"""Facilitators create and edit series and meetings through validated forms."""

from __future__ import annotations

import re
from datetime import date, time
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.meetings import service
from notesbase.models import Meeting, MeetingFormat, MeetingStatus, Role, Series, Topic
from tests.conftest import csrf_token_from, post_form

INVALID = 422


def meeting_form(**overrides: str) -> dict[str, str]:
    data = {
        "number": "2",
        "title": "Second meeting",
        "date": "2099-10-03",  # still to come, so it stays upcoming
        "start_time": "14:00",
        "timezone": "Europe/London",
        "format": "online",
        "status": "upcoming",
        "theme": "Practitioners",
        "topics": "Public sector, People and Participation",
        "speakers": "TBC",
        "registration_url": "https://zoom.example.org/register/x",
        "description": "About **it**.",
        "chatham_house": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def series_form(**overrides: str) -> dict[str, str]:
    data = {"title": "Civil society network", "slug": "cso", "description": "Hello."}
    data.update(overrides)
    return data


@pytest.fixture
def cop(app, make_series):
    """A series 'cop' with meeting 1."""
    series = make_series("cop", "Community of Practice")
    with app.app_context():
        stored = db.session.get(Series, series.id)
        service.create_meeting(
            stored,
            service.MeetingFields(
                number=1, title="First meeting", date=date(2024, 7, 18), topics=["Open data"]
            ),
        )
        db.session.commit()
    return series


def snapshot(app) -> list[tuple]:
    """Everything the forms can change, to show a refused request changed nothing."""
    with app.app_context():
        series = db.session.execute(
            sa.select(Series.slug, Series.title, Series.description).order_by(Series.slug)
        ).all()
        meetings = db.session.execute(
            sa.select(Meeting.series_id, Meeting.number, Meeting.title, Meeting.date).order_by(
                Meeting.series_id, Meeting.number
            )
        ).all()
        topics = db.session.scalars(sa.select(Topic.slug).order_by(Topic.slug)).all()
        return [*series, *meetings, *topics]


def stored_meeting(app, number: int, slug: str = "cop") -> Meeting | None:
    with app.app_context():
        meeting = db.session.scalar(
            sa.select(Meeting).join(Series).where(Series.slug == slug, Meeting.number == number)
        )
        if meeting is not None:
            _ = meeting.topics
            db.session.expunge_all()
        return meeting


PAGES = [
    ("/series/new", series_form, "/series/cso"),
    ("/series/cop/edit", lambda: series_form(slug="cop"), "/series/cop"),
    ("/series/cop/meetings/new", meeting_form, "/series/cop/meetings/2"),
    ("/series/cop/meetings/1/edit", lambda: meeting_form(number="1"), "/series/cop/meetings/1"),
]


@pytest.mark.parametrize(("url", "data", "target"), PAGES)
@pytest.mark.parametrize(
    ("role", "get_status", "post_status"),
    [
        (None, 302, 302),
        (Role.MEMBER, 403, 403),
        (Role.FACILITATOR, 200, 302),
        (Role.ADMIN, 200, 302),
    ],
)
def test_role_matrix(app, client, cop, login_as, url, data, target, role, get_status, post_status):
    """Anonymous visitors are sent to log in, members get 403, facilitators and admins
    may use every facilitator page (GET and POST)."""
    if role is not None:
        login_as(role)
    before = snapshot(app)
    response = client.get(url)
    assert response.status_code == get_status
    if role is None:
        assert response.headers["Location"].startswith("/login")
    token_page = "/login" if role is None else "/"
    token = csrf_token_from(client.get(token_page).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data()})
    assert response.status_code == post_status
    if post_status == 302 and role is not None:
        assert response.headers["Location"] == target
        assert client.get(target).status_code == 200
        assert snapshot(app) != before
    else:
        assert snapshot(app) == before
    if role is None:
        assert response.headers["Location"].startswith("/login")


def test_create_series_then_meeting(app, client, login_as):
    """A facilitator creates a series, then its first meeting, and both show publicly."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/new", series_form(title="Civil society network"))
    assert response.status_code == 302
    html = client.get("/series/cso/meetings/new").get_data(as_text=True)
    assert 'value="1"' in html  # the next free number
    response = post_form(client, "/series/cso/meetings/new", meeting_form(number="1"))
    assert response.headers["Location"] == "/series/cso/meetings/1"
    meeting = stored_meeting(app, 1, "cso")
    assert meeting.title == "Second meeting"
    assert meeting.date == date(2099, 10, 3) and meeting.start_time == time(14, 0)
    assert meeting.format == MeetingFormat.ONLINE and meeting.status == MeetingStatus.UPCOMING
    assert [t.name for t in meeting.topics] == ["People and Participation", "Public sector"]
    assert meeting.registration_url == "https://zoom.example.org/register/x"
    assert meeting.chatham_house is True and meeting.timezone == "Europe/London"
    assert "Second meeting" in client.get("/series/cso").get_data(as_text=True)


def test_new_meeting_defaults(client, cop, login_as):
    """The new-meeting form offers the next free number, London time and the rule on."""
    login_as(Role.FACILITATOR)
    html = client.get("/series/cop/meetings/new").get_data(as_text=True)
    assert 'name="number"' in html and 'value="2"' in html
    assert 'value="Europe/London"' in html
    checkbox = re.search(r'<input[^>]*name="chatham_house"[^>]*>', html).group()
    assert "checked" in checkbox


def test_blank_optional_fields_and_rule_off(app, client, cop, login_as):
    """Optional fields may be left blank and the Chatham House Rule switched off."""
    login_as(Role.FACILITATOR)
    data = meeting_form(
        start_time="", format="", theme="", topics="", speakers="", registration_url=""
    )
    del data["chatham_house"]
    response = post_form(client, "/series/cop/meetings/new", data)
    assert response.status_code == 302
    meeting = stored_meeting(app, 2)
    assert meeting.start_time is None and meeting.format is None
    assert meeting.registration_url is None and meeting.topics == []
    assert meeting.chatham_house is False


def test_edit_form_is_prefilled(client, cop, login_as):
    """The edit form starts from what is stored."""
    login_as(Role.FACILITATOR)
    html = client.get("/series/cop/meetings/1/edit").get_data(as_text=True)
    assert 'value="First meeting"' in html and 'value="2024-07-18"' in html
    assert 'value="Open data"' in html
    series_html = client.get("/series/cop/edit").get_data(as_text=True)
    assert 'value="Community of Practice"' in series_html and 'value="cop"' in series_html


def test_topics_are_shared_and_deduplicated(app, client, cop, login_as):
    """Topics typed with commas reuse existing topics by name, ignoring case and spaces."""
    login_as(Role.FACILITATOR)
    post_form(client, "/series/cop/meetings/new", meeting_form(topics="open  DATA, Law, law,"))
    with app.app_context():
        names = db.session.scalars(sa.select(Topic.name).order_by(Topic.slug)).all()
    assert names == ["Law", "Open data"]
    assert [t.name for t in stored_meeting(app, 2).topics] == ["Law", "Open data"]


def test_change_number_to_a_free_one(app, client, cop, login_as):
    """A meeting's number can change to a free one; its page moves with it."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/cop/meetings/1/edit", meeting_form(number="5"))
    assert response.headers["Location"] == "/series/cop/meetings/5"
    assert stored_meeting(app, 1) is None and stored_meeting(app, 5).title == "Second meeting"
    assert client.get("/series/cop/meetings/1").status_code == 404


def test_duplicate_number_is_refused_beside_the_field(app, client, cop, login_as):
    """A number already used in the series gives a clear error and changes nothing."""
    login_as(Role.FACILITATOR)
    post_form(client, "/series/cop/meetings/new", meeting_form(number="2"))
    before = snapshot(app)
    for url in ("/series/cop/meetings/new", "/series/cop/meetings/2/edit"):
        response = post_form(client, url, meeting_form(number="1", title="Kept input"))
        html = response.get_data(as_text=True)
        assert response.status_code == INVALID
        assert "This series already has a meeting 1" in html
        assert '<p class="error" id="number-error">' in html
        assert 'value="Kept input"' in html
        assert snapshot(app) == before


def test_same_number_in_another_series_is_fine(app, client, cop, make_series, login_as):
    """Numbers are unique within a series, not across series."""
    make_series("cso", "Civil society network")
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/cso/meetings/new", meeting_form(number="1"))
    assert response.status_code == 302
    assert stored_meeting(app, 1, "cso") is not None


def test_duplicate_slug_is_refused_beside_the_field(app, client, cop, make_series, login_as):
    """A slug another series uses gives a clear error and changes nothing."""
    make_series("cso", "Civil society network")
    login_as(Role.FACILITATOR)
    before = snapshot(app)
    for url in ("/series/new", "/series/cso/edit"):
        response = post_form(client, url, series_form(slug="cop", title="Kept title"))
        html = response.get_data(as_text=True)
        assert response.status_code == INVALID
        assert "Another series already uses the slug" in html
        assert '<p class="error" id="slug-error">' in html and 'value="Kept title"' in html
        assert snapshot(app) == before


def test_blank_slug_is_made_from_the_title(app, client, login_as):
    """Leaving the slug blank makes one from the title."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/new", series_form(slug="", title="Data & AI: CoP"))
    assert response.headers["Location"] == "/series/data-ai-cop"


def test_series_edit_changes_slug(app, client, cop, login_as):
    """Editing a series can change its slug; the old address is then 404."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/cop/edit", series_form(slug="cop-2", title="Renamed"))
    assert response.headers["Location"] == "/series/cop-2"
    assert "Renamed" in client.get("/series/cop-2").get_data(as_text=True)
    assert client.get("/series/cop").status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the series a title."),
        ("title", "x" * 201, "Use at most 200 characters."),
        ("slug", "Bad Slug", "Use lowercase letters, digits and single hyphens"),
        ("slug", "a--b", "Use lowercase letters, digits and single hyphens"),
        ("slug", "-cop", "Use lowercase letters, digits and single hyphens"),
        ("slug", "new", "'new' is reserved"),
        ("slug", "a" * 81, "Use at most 80 characters."),
        ("description", "x" * 50_001, "Use at most 50000 characters."),
    ],
)
def test_series_validation_errors(app, client, login_as, field, value, message):
    """Each bad series field is refused with 422 and a message beside it; nothing is stored."""
    login_as(Role.FACILITATOR)
    data = series_form(**{field: value})
    if field == "title":
        data["slug"] = "cso"
    response = post_form(client, "/series/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == INVALID
    assert f'<p class="error" id="{field}-error">' in html
    assert message in unescape(html.split(f'id="{field}-error">')[1].split("</p>")[0])
    assert snapshot(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number", "", "Give the meeting's number in the series."),
        ("number", "0", "Use a whole number from 1."),
        ("number", "-3", "Use a whole number from 1."),
        ("number", "abc", "Give a whole number, such as 10."),
        ("number", "99999999999", "Use a whole number from 1."),
        ("title", "", "Give the meeting a title."),
        ("title", "  ", "Give the meeting a title."),
        ("title", "x" * 201, "Use at most 200 characters."),
        ("date", "", "Give the date as YYYY-MM-DD."),
        ("date", "2025-13-40", "Give a real date as year-month-day, such as 2025-03-14."),
        ("start_time", "25:00", "Give the time as hours and minutes, such as 18:30."),
        ("timezone", "Mars/Olympus", "IANA time zone"),
        ("timezone", "../../etc/passwd", "IANA time zone"),
        ("timezone", "", "Give the time zone."),
        ("format", "hybrid", "Choose one of the options listed."),
        ("status", "done", "Choose one of the options listed."),
        ("theme", "x" * 301, "Use at most 300 characters."),
        ("topics", ", ".join(f"Topic {i}" for i in range(21)), "at most 20 topics"),
        ("topics", "x" * 121, "under 120 characters"),
        ("registration_url", "javascript:alert(1)", "https://"),
        ("registration_url", "ftp://example.org/x", "https://"),
        ("registration_url", "zoom.us/register", "https://"),
        ("registration_url", "https://", "https://"),
        ("registration_url", "https://x.org/" + "a" * 500, "at most 500 characters"),
    ],
)
def test_meeting_validation_errors(app, client, cop, login_as, field, value, message):
    """Each bad meeting field is refused with 422, the message beside the field, the
    other input kept, and nothing stored."""
    login_as(Role.FACILITATOR)
    before = snapshot(app)
    data = meeting_form(**{field: value})
    if field != "theme":
        data["theme"] = "Kept theme"
    response = post_form(client, "/series/cop/meetings/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == INVALID
    assert f'<p class="error" id="{field}-error">' in html
    assert message in unescape(html.split(f'id="{field}-error">')[1].split("</p>")[0])
    assert 'class="error-summary"' in html
    if field != "theme":
        assert 'value="Kept theme"' in html
    assert snapshot(app) == before
    edit = post_form(client, "/series/cop/meetings/1/edit", data)
    assert edit.status_code == INVALID
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/series/new", series_form()),
        ("/series/cop/edit", series_form(slug="cop")),
        ("/series/cop/meetings/new", meeting_form()),
        ("/series/cop/meetings/1/edit", meeting_form(number="1")),
    ],
)
def test_missing_csrf_token_is_400(app, client, cop, login_as, url, data):
    """A form sent without its CSRF token is refused with 400 and changes nothing."""
    login_as(Role.FACILITATOR)
    before = snapshot(app)
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_edit_unknown_series_or_meeting_is_404(client, cop, login_as):
    """Facilitator pages of a series or meeting that does not exist are 404."""
    login_as(Role.FACILITATOR)
    for url in ("/series/nope/edit", "/series/nope/meetings/new", "/series/cop/meetings/9/edit"):
        assert client.get(url).status_code == 404


def test_unreadable_number_gets_one_message(client, cop, login_as):
    """A number that cannot be read says so alone: its range rule, checked
    against no value, adds no second message."""
    login_as(Role.FACILITATOR)
    response = post_form(client, "/series/cop/meetings/new", meeting_form(number="abc"))
    message = unescape(response.get_data(as_text=True).split('id="number-error">')[1])
    assert message.split("</p>")[0].endswith("Give a whole number, such as 10.")
    assert "from 1" not in message.split("</p>")[0]
