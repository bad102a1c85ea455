"""A series of hundreds of meetings is read a page of past meetings at a
time: every past meeting is on exactly one page, latest first, the chart
covers the page, and a page that is not there is the site's 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.meetings import service
from notesbase.meetings.timeline import PAST_PER_PAGE
from notesbase.models import MeetingStatus, Series, Topic
from tests.support.clock_support import TODAY

pytestmark = pytest.mark.usefixtures("noon_today")
PAST = PAST_PER_PAGE * 2 + 5


@pytest.fixture
def long_series(app, make_series):
    """A series with ``PAST`` past meetings (numbered by date) and two upcoming."""
    make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.scalar(sa.select(Series).where(Series.slug == "cop"))
        topic = Topic(slug="trust", name="Trust")
        db.session.add(topic)
        for number in range(1, PAST + 3):
            day = TODAY - timedelta(days=7 * (PAST + 1 - number))
            fields = service.MeetingFields(
                number=number,
                date=day,
                title=f"Meeting title {number}",
                status=MeetingStatus.HELD if number <= PAST else MeetingStatus.UPCOMING,
            )
            meeting = service.create_meeting(series, fields)
            meeting.topics.append(topic)
        db.session.commit()


def _numbers(html: str, section: str) -> list[int]:
    part = html.split(f'id="{section}-heading"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r"/meetings/(\d+)\"", part.split('class="pager"')[0])]


def test_each_past_meeting_is_on_exactly_one_page_latest_first(client, long_series) -> None:
    """Walking the pages lists every past meeting once, in date order, newest first."""
    seen: list[int] = []
    for number in (1, 2, 3):
        html = client.get(f"/series/cop?page={number}").get_data(as_text=True)
        past = list(dict.fromkeys(_numbers(html, "past")))
        assert len(past) <= PAST_PER_PAGE
        seen.extend(past)
        assert f"Page {number} of 3" in html
    assert seen == list(range(PAST, 0, -1))


def test_the_first_page_is_the_plain_address_and_holds_the_upcoming(client, long_series) -> None:
    """No page number is page 1; upcoming meetings are only on it; the chart covers the page."""
    first = client.get("/series/cop").get_data(as_text=True)
    assert first == client.get("/series/cop?page=1").get_data(as_text=True)
    assert set(_numbers(first, "upcoming")) >= {PAST + 1, PAST + 2}
    later = client.get("/series/cop?page=2").get_data(as_text=True)
    assert not _numbers(later, "upcoming")
    assert "Upcoming meetings are listed on" in later
    assert f"{PAST_PER_PAGE} meetings</caption>" in later
    assert 'rel="prev" ' not in first and 'href="/series/cop?page=2" rel="next"' in first
    assert 'href="/series/cop" rel="prev"' in later


@pytest.mark.parametrize("asked", ["0", "4", "-1", "abc", "1.5", "٢", "²", "1e3", " ", "9" * 40])
def test_a_page_that_is_not_there_is_the_usual_404(client, long_series, asked) -> None:
    """Any page number that is not a page (Unicode digits too) is the site's 404, never a 500."""
    response = client.get("/series/cop", query_string={"page": asked})
    assert response.status_code == 404
    nothing = client.get("/series/no-such-series")
    assert response.get_data(as_text=True) == nothing.get_data(as_text=True)


def test_a_short_series_has_no_pager(client, make_series) -> None:
    """A series with fewer past meetings than a page shows no pager and no count line."""
    make_series("small", "Small series")
    html = client.get("/series/small").get_data(as_text=True)
    assert 'class="pager"' not in html and "No past meetings." in html
