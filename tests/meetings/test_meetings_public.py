"""The public pages of series, meetings and topics."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.meetings import service
from notesbase.models import MeetingFormat, MeetingStatus, Role, Series
from tests.support.clock_support import TODAY

# Meetings are placed around today; the clock stays on it (tests/support/clock_support.py).
pytestmark = pytest.mark.usefixtures("noon_today")
ZOOM = "https://zoom.example.org/register/abc"


@pytest.fixture
def make_meeting(app):
    """Create a meeting through the service (topics by name)."""

    def make(slug: str = "cop", number: int = 1, day: date = TODAY, **fields):
        with app.app_context():
            series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
            fields.setdefault("title", f"Meeting title {number}")
            meeting = service.create_meeting(
                series, service.MeetingFields(number=number, date=day, **fields)
            )
            db.session.commit()
            return meeting.id

    return make


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def positions(html: str, *needles: str) -> list[int]:
    found = [html.find(n) for n in needles]
    assert all(i >= 0 for i in found), (needles, found)
    return found


def test_index_lists_series_with_count_excerpt_and_next_meeting(client, make_series, make_meeting):
    """The home page shows each series' title, excerpt, meeting count and next meeting."""
    make_series("cop", "Community of Practice", description="A *calm* network.\n\nSecond para.")
    make_series("other", "Another series")
    make_meeting("cop", 1, TODAY - timedelta(days=30), status=MeetingStatus.HELD)
    make_meeting("cop", 2, TODAY + timedelta(days=10))
    make_meeting("cop", 3, TODAY + timedelta(days=40))
    html = page(client, "/")
    assert "Community of Practice" in html and "Another series" in html
    assert "A calm network." in html and "Second para" not in html
    assert "3 meetings." in html and "0 meetings." in html
    assert 'href="/series/cop/meetings/2"' in html
    assert 'href="/series/cop/meetings/3"' not in html
    assert "No upcoming meeting." in html


def test_series_timeline_orders_upcoming_then_past(client, make_series, make_meeting):
    """Upcoming meetings come first, soonest first; then past ones, latest first."""
    make_series()
    make_meeting(number=1, day=TODAY - timedelta(days=60), status=MeetingStatus.HELD)
    make_meeting(number=2, day=TODAY - timedelta(days=5), status=MeetingStatus.HELD)
    make_meeting(number=3, day=TODAY + timedelta(days=30))
    make_meeting(number=4, day=TODAY)
    make_meeting(number=5, day=TODAY + timedelta(days=3), status=MeetingStatus.CANCELLED)
    html = page(client, "/series/cop")
    upcoming, past = html.split('id="past-heading"')
    assert "Meeting 4<" in upcoming and "Meeting 3<" in upcoming
    assert positions(upcoming, "Meeting 4<", "Meeting 3<") == sorted(
        positions(upcoming, "Meeting 4<", "Meeting 3<")
    )
    for number in (1, 2, 5):
        assert f"Meeting {number}<" not in upcoming
    order = positions(past, "Meeting 5<", "Meeting 2<", "Meeting 1<")
    assert order == sorted(order)
    assert "badge-cancelled" in past and "Cancelled" in past


def test_meeting_marked_upcoming_with_a_past_date_is_past(client, make_series, make_meeting):
    """A meeting whose date has gone is listed as past, and reads Held on the
    series and meeting pages, even if never marked held."""
    make_series()
    make_meeting(number=1, day=TODAY - timedelta(days=2))
    html = page(client, "/series/cop")
    upcoming, past = html.split('id="past-heading"')
    assert "Meeting 1<" in past and "No upcoming meetings." in upcoming
    assert '<span class="badge badge-held">Held</span>' in past and ">Upcoming<" not in past
    meeting = page(client, "/series/cop/meetings/1")
    assert '<span class="badge badge-held">Held</span>' in meeting
    assert "badge-upcoming" not in meeting and ">Past<" not in meeting


def test_meeting_page_shows_every_detail(client, make_series, make_meeting):
    """The meeting page shows number, series, long date with time zone, format, status,
    theme, topics linking to topic pages, speakers, the Chatham House notice and description."""
    make_series()
    day = TODAY + timedelta(days=20)
    make_meeting(
        number=10,
        day=day,
        title="Tenth meeting",
        start_time=time(14, 0),
        format=MeetingFormat.ONLINE,
        theme="Public voices",
        topics=["Public sector", "People and Participation"],
        speakers="TBC",
        registration_url=ZOOM,
        description="Please **register**.",
    )
    html = page(client, "/series/cop/meetings/10")
    assert "Meeting 10: Tenth meeting" in html
    assert 'href="/series/cop">Community of Practice' in html
    long_day = f"{day:%A} {day.day} {day:%B %Y}"
    assert f"{long_day}, 2pm (UK time / Europe/London)" in html
    assert "Online" in html and "badge-upcoming" in html and "Public voices" in html
    assert (
        'href="/topics/public-sector"' in html and 'href="/topics/people-and-participation"' in html
    )
    assert ">TBC<" in html
    assert f'href="{ZOOM}"' in html
    assert "This meeting is held under the Chatham House Rule" in html
    assert "<strong>register</strong>" in html


def test_meeting_page_without_time_or_chatham_house(client, make_series, make_meeting):
    """Without a start time the date stands alone; without the rule there is no notice."""
    make_series()
    make_meeting(number=1, day=date(2025, 7, 9), timezone="Europe/Paris", chatham_house=False)
    html = page(client, "/series/cop/meetings/1")
    assert "Wednesday 9 July 2025</time>" in html
    assert "This meeting is held under the Chatham House Rule" not in html
    assert "Not stated" in html


def test_time_zone_other_than_london_is_named(client, make_series, make_meeting):
    """A meeting in another time zone shows that zone's name after the time."""
    make_series()
    make_meeting(
        number=1, day=date(2025, 7, 9), start_time=time(9, 30), timezone="America/New_York"
    )
    html = page(client, "/series/cop/meetings/1")
    assert "Wednesday 9 July 2025, 9:30am (America/New_York)" in html


@pytest.mark.parametrize(
    ("offset", "status", "shown"),
    [
        (7, MeetingStatus.UPCOMING, True),
        (0, MeetingStatus.UPCOMING, True),
        (-1, MeetingStatus.UPCOMING, False),
        (-30, MeetingStatus.HELD, False),
        (7, MeetingStatus.CANCELLED, False),
    ],
)
def test_registration_link_only_while_upcoming(
    client, make_series, make_meeting, offset, status, shown
):
    """The registration link shows only while the meeting is upcoming."""
    make_series()
    make_meeting(number=1, day=TODAY + timedelta(days=offset), status=status, registration_url=ZOOM)
    html = page(client, "/series/cop/meetings/1")
    assert (ZOOM in html) is shown
    assert ("Register for this meeting" in html) is shown


def test_registration_link_of_another_scheme_is_never_shown(client, make_series, make_meeting, app):
    """A stored registration link that is not http(s) never becomes a link."""
    make_series()
    meeting_id = make_meeting(number=1, day=TODAY + timedelta(days=3))
    with app.app_context():
        from notesbase.models import Meeting

        db.session.get(Meeting, meeting_id).registration_url = "javascript:alert(1)"
        db.session.commit()
    html = page(client, "/series/cop/meetings/1")
    assert "javascript:" not in html and "Register for this meeting" not in html


def test_topic_pages_list_meetings_across_series(client, make_series, make_meeting):
    """A topic page lists the meetings on it from every series, latest first; the
    topic index counts them."""
    make_series("cop", "Community of Practice")
    make_series("cso", "Civil society network")
    make_meeting("cop", 1, date(2025, 1, 15), title="Engaging communities", topics=["Open data"])
    make_meeting("cso", 4, date(2025, 3, 1), title="Data rights", topics=["open  data", "Law"])
    make_meeting("cop", 2, date(2025, 2, 12), title="Methods", topics=["Law"])
    html = page(client, "/topics/open-data")
    assert "Topic: Open data" in html
    first, second = positions(html, "Data rights", "Engaging communities")
    assert first < second
    assert "Civil society network" in html and "Community of Practice" in html
    assert "Methods" not in html
    index = page(client, "/topics/")
    assert re.search(
        r'href="/topics/open-data">Open data</a>\s*<span class="muted">\(2 meetings\)', index
    )
    assert re.search(r'href="/topics/law">Law</a>\s*<span class="muted">\(2 meetings\)', index)


@pytest.mark.parametrize(
    "url",
    ["/series/nope", "/series/cop/meetings/99", "/series/nope/meetings/1", "/topics/nope"],
)
def test_unknown_pages_are_404(client, make_series, url):
    """Unknown series, meeting numbers and topics give the normal 404 page."""
    make_series()
    response = client.get(url)
    assert response.status_code == 404
    assert "There is nothing here." in response.get_data(as_text=True)


HOSTILE = '<script>alert("x")</script>'


def test_markdown_and_titles_are_sanitised(client, make_series, make_meeting, app):
    """Script tags and javascript: links in titles and descriptions never come out live."""
    make_series("cop", f"Series {HOSTILE}", description=f"{HOSTILE} [click](javascript:alert(1))")
    make_meeting(
        number=1,
        day=TODAY + timedelta(days=1),
        title=f"Meeting {HOSTILE}",
        theme=HOSTILE,
        speakers=HOSTILE,
        topics=[f"Topic {HOSTILE}"],
        description=f'{HOSTILE}\n\n[click](javascript:alert(1)) <a href="javascript:x">raw</a>',
    )
    with app.app_context():
        topic_slug = service.topic_counts()[0][0].slug
    for url in ("/", "/series/cop", "/series/cop/meetings/1", "/topics/", f"/topics/{topic_slug}"):
        html = page(client, url)
        assert "<script>alert" not in html, url
        assert not re.search(r"<a [^>]*href=[\"']?\s*javascript:", html, re.I), url
    assert "&lt;script&gt;" in page(client, "/series/cop/meetings/1")


@pytest.mark.parametrize(
    ("role", "shown"),
    [(None, False), (Role.MEMBER, False), (Role.FACILITATOR, True), (Role.ADMIN, True)],
)
def test_facilitator_links_only_for_facilitators(
    client, make_series, make_meeting, login_as, role, shown
):
    """Links to the facilitator pages are shown to facilitators and admins only."""
    make_series()
    make_meeting(number=1)
    if role is not None:
        login_as(role)
    links = {
        "/": ["/series/new"],
        "/series/cop": ["/series/cop/edit", "/series/cop/meetings/new"],
        "/series/cop/meetings/1": ["/series/cop/meetings/1/edit"],
    }
    for url, hrefs in links.items():
        html = page(client, url)
        for href in hrefs:
            assert (f'href="{href}"' in html) is shown, (url, href)


def test_pages_have_no_inline_script_or_style(client, make_series, make_meeting):
    """Public pages use only local assets: no inline script or style, no external URLs."""
    make_series()
    make_meeting(number=1, topics=["Open data"])
    for url in ("/", "/series/cop", "/series/cop/meetings/1", "/topics/", "/topics/open-data"):
        html = page(client, url)
        assert not re.search(r'<script(?! src="/static/)', html), url
        assert "style=" not in html and "<style" not in html
        assert not re.search(r'(src|href)="https?://(?!zoom)', html), url


def test_a_number_beyond_the_database_range_is_not_found(client, make_series):
    """A meeting number too large for the database is a 404, not a 500."""
    make_series()
    assert client.get("/series/cop/meetings/99999999999999999999").status_code == 404
    assert client.get("/series/cop/meetings/2147483648").status_code == 404
