"""The theme overview on a series page: which topics came up in which meeting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.meetings import service
from notesbase.meetings.overview import theme_overview
from notesbase.meetings.timeline import PAST_PER_PAGE
from notesbase.models import MeetingStatus, Role, Series
from tests.support.clock_support import TODAY

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# Meetings are placed around today; the clock stays on it (tests/support/clock_support.py).
pytestmark = pytest.mark.usefixtures("noon_today")


def topic(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, slug=name.lower().replace(" ", "-"))


def meeting(number: int, day: date, *topics: str, status=MeetingStatus.HELD) -> SimpleNamespace:
    return SimpleNamespace(
        number=number,
        title=f"Meeting {number}",
        date=day,
        start_time=time(14, 0),
        timezone="Europe/London",
        status=status,
        registration_url=None,
        topics=[topic(t) for t in topics],
    )


# --- the pure function -------------------------------------------------------


def test_rows_are_topics_most_frequent_first_then_by_name():
    """Topics are ordered by how many meetings carry them, ties by name (any case)."""
    meetings = [
        meeting(1, date(2025, 1, 1), "zebra", "Apples", "ethics"),
        meeting(2, date(2025, 2, 1), "ethics", "zebra"),
        meeting(3, date(2025, 2, 15), "ethics", "banana"),
    ]
    result = theme_overview(meetings, NOW)
    assert [(r.topic.name, r.count) for r in result.rows] == [
        ("ethics", 3),
        ("zebra", 2),
        ("Apples", 1),
        ("banana", 1),
    ]


def test_columns_are_meetings_in_number_order_with_their_status():
    """Columns run by meeting number whatever order they come in, each with its
    status; a past meeting never marked held counts as held."""
    meetings = [
        meeting(3, date(2025, 4, 1), "a", status=MeetingStatus.UPCOMING),
        meeting(1, date(2025, 1, 1), "a"),
        meeting(4, date(2025, 5, 1), "a", status=MeetingStatus.CANCELLED),
        meeting(2, date(2025, 2, 1), "a", status=MeetingStatus.UPCOMING),
    ]
    columns = theme_overview(meetings, NOW).columns
    assert [(c.meeting.number, c.status) for c in columns] == [
        (1, "held"),
        (2, "held"),
        (3, "upcoming"),
        (4, "cancelled"),
    ]


def test_each_cell_says_its_state_in_words():
    """A cell is on where the meeting has the topic, and its text depends on
    whether the meeting was held, is upcoming or was cancelled."""
    meetings = [
        meeting(1, date(2025, 1, 1), "a"),
        meeting(2, date(2025, 1, 2), "b"),
        meeting(3, date(2025, 4, 1), "a", status=MeetingStatus.UPCOMING),
        meeting(4, date(2025, 4, 2), "b", status=MeetingStatus.UPCOMING),
        meeting(5, date(2025, 4, 3), "a", status=MeetingStatus.CANCELLED),
    ]
    row_a = theme_overview(meetings, NOW).rows[0]
    assert row_a.topic.name == "a" and row_a.count == 3
    assert [c.on_topic for c in row_a.cells] == [True, False, True, False, True]
    assert [c.text for c in row_a.cells] == [
        "discussed",
        "not discussed",
        "planned",
        "not planned",
        "planned, but cancelled",
    ]


@pytest.mark.parametrize(
    ("meetings", "has_meetings"),
    [([], False), ([meeting(1, date(2025, 1, 1)), meeting(2, date(2025, 2, 1))], True)],
)
def test_nothing_to_chart_without_topics(meetings, has_meetings):
    """No meetings, or meetings without topics, make an empty overview."""
    result = theme_overview(meetings, NOW)
    assert result.is_empty and result.rows == ()
    assert result.has_meetings is has_meetings


# --- the page ------------------------------------------------------------------


class TableReader(HTMLParser):
    """The overview table as rows of cell texts (hidden text included), and
    the links of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside the overview table when > 0
        self.rows: list[list[str]] = []
        self.links: list[list[list[str]]] = []
        self.attrs: dict[str, dict[str, str]] = {}
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "div" and "overview-scroll" in (found.get("class") or ""):
            self.attrs["region"] = found
        if tag == "table" and found.get("class") == "overview":
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
            self.links.append([])
        elif self.depth and tag in ("th", "td"):
            self.cell = []
            self.rows[-1].append("")
            self.links[-1].append([])
            self.attrs[f"{len(self.rows) - 1},{len(self.rows[-1]) - 1}"] = found
        elif self.depth and tag == "a" and self.cell is not None:
            self.links[-1][-1].append(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth = 0
        elif self.depth and tag in ("th", "td") and self.cell is not None:
            self.rows[-1][-1] = " ".join("".join(self.cell).split())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_overview(html: str) -> TableReader:
    reader = TableReader()
    reader.feed(html)
    return reader


def page(client, url: str = "/series/cop") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def overview_section(html: str) -> str:
    start = html.index('<section class="theme-overview"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def make_meeting(app):
    """Create a meeting through the service (topics by name)."""

    def make(number: int, day: date, *topics: str, slug: str = "cop", **fields) -> None:
        with app.app_context():
            series = db.session.scalar(sa.select(Series).where(Series.slug == slug))
            service.create_meeting(
                series,
                service.MeetingFields(
                    number=number, title=f"Title {number}", date=day, topics=topics, **fields
                ),
            )
            db.session.commit()

    return make


def test_series_page_charts_topics_by_meeting(client, make_series, make_meeting):
    """The table has a header row of meetings by number (linked, with status),
    one row per topic linking to its topic page, a count, and each cell's state."""
    make_series()
    make_meeting(2, TODAY - timedelta(days=30), "Data ethics", status=MeetingStatus.HELD)
    make_meeting(1, TODAY - timedelta(days=60), "Data ethics", "Public sector")
    make_meeting(3, TODAY + timedelta(days=30), "Public sector", "Data ethics")
    table = read_overview(page(client))
    assert table.rows[0] == [
        "Topic",
        "Meetings",
        "Meeting 1, held",  # its day has passed: held, like the badge
        "Meeting 2, held",
        "Meeting 3, upcoming",
    ]
    assert table.links[0][2:] == [[f"/series/cop/meetings/{n}"] for n in (1, 2, 3)]
    assert table.rows[1:] == [
        ["Data ethics", "3", "discussed", "discussed", "planned"],
        ["Public sector", "2", "discussed", "not discussed", "planned"],
    ]
    assert table.links[1][0] == ["/topics/data-ethics"]
    assert table.links[2][0] == ["/topics/public-sector"]
    assert table.attrs["0,4"]["class"] == "overview-meeting is-upcoming"
    assert table.attrs["2,3"]["class"] == "overview-cell is-held"


def test_the_chart_is_a_labelled_table_in_a_focusable_scrolling_region(
    client, make_series, make_meeting
):
    """Caption, header scopes, and a keyboard-focusable region named by the caption."""
    make_series()
    make_meeting(1, TODAY - timedelta(days=1), "Data ethics")
    html = overview_section(page(client))
    table = read_overview(html)
    region = table.attrs["region"]
    assert region["role"] == "region" and region["tabindex"] == "0"
    assert f'<caption id="{region["aria-labelledby"]}">' in html
    assert "Topics by meeting: 1 topic, 1 meeting" in html
    assert table.attrs["0,0"]["scope"] == "col" and table.attrs["0,2"]["scope"] == "col"
    assert table.attrs["1,0"]["scope"] == "row"
    # The marks are decoration: the words beside them carry the meaning.
    assert '<span class="mark mark-held" aria-hidden="true"></span>' in html


def test_cancelled_meetings_are_marked_apart(client, make_series, make_meeting):
    """A cancelled meeting's column and cells say so, in words and in the mark."""
    make_series()
    make_meeting(1, TODAY + timedelta(days=3), "Data ethics", status=MeetingStatus.CANCELLED)
    html = overview_section(page(client))
    table = read_overview(html)
    assert table.rows[0][2] == "Meeting 1, cancelled"
    assert table.rows[1][2] == "planned, but cancelled"
    assert 'class="mark mark-cancelled"' in html


def test_series_without_meetings_says_so_instead_of_a_table(client, make_series):
    """An empty series gets a sentence, not an empty table."""
    make_series()
    html = overview_section(page(client))
    assert "No meetings yet." in html and "<table" not in html


def test_meetings_without_topics_say_how_to_add_them(client, make_series, make_meeting):
    """Meetings without any topic get a sentence saying where topics come from."""
    make_series()
    make_meeting(1, TODAY - timedelta(days=3))
    html = overview_section(page(client))
    assert "None of these meetings has topics yet." in html and "<table" not in html


def test_overview_uses_only_this_series_and_the_same_meetings_for_every_reader(
    client, auth, make_series, make_member, make_meeting
):
    """A meeting's details and topics are public, so the public and a member of
    the series see the same overview: exactly the meetings of the page's
    timeline, and no topic or meeting of another series."""
    cop = make_series()
    make_series("other", "Other series")
    make_meeting(1, TODAY - timedelta(days=9), "Data ethics")
    make_meeting(2, TODAY + timedelta(days=9), "Public sector")
    make_meeting(1, TODAY - timedelta(days=9), "Secret plans", slug="other")
    make_meeting(7, TODAY - timedelta(days=3), "Data ethics", slug="other")
    public_html = page(client)
    public = read_overview(public_html)
    columns = [link for links in public.links[0][2:] for link in links]
    assert columns == ["/series/cop/meetings/1", "/series/cop/meetings/2"]
    timeline = public_html.replace(overview_section(public_html), "")
    assert all(f'href="{link}"' in timeline for link in columns)
    assert [row[0] for row in public.rows[1:]] == ["Data ethics", "Public sector"]
    assert "Secret plans" not in overview_section(public_html)
    make_member("member@example.org", series=[cop])
    auth.login("member@example.org")
    assert read_overview(page(client)).rows == public.rows


def test_facilitator_sees_the_same_overview(client, login_as, make_series, make_meeting):
    """Managing the series adds links around the page, not meetings to the chart."""
    make_series()
    make_meeting(1, TODAY - timedelta(days=9), "Data ethics")
    public = read_overview(page(client)).rows
    login_as(Role.FACILITATOR)
    assert read_overview(page(client)).rows == public


@contextmanager
def counted_queries(app) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_a_long_series_costs_no_more_queries_than_a_short_one(app, client, make_series):
    """60 meetings with 20 topics render with the same fixed number of queries
    as one meeting with one topic: no query per meeting or per topic."""
    make_series("small", "Small")
    make_series("long", "Long")
    names = [f"Theme {i:02d}" for i in range(20)]
    with app.app_context():
        small, long = (
            db.session.scalar(sa.select(Series).where(Series.slug == s)) for s in ("small", "long")
        )
        service.create_meeting(
            small, service.MeetingFields(number=1, title="One", date=TODAY, topics=names[:1])
        )
        for n in range(1, 61):
            service.create_meeting(
                long,
                service.MeetingFields(
                    number=n,
                    title=f"Meeting {n}",
                    date=TODAY + timedelta(days=7 * (n - 40)),
                    topics=[t for i, t in enumerate(names) if (n + i) % 3 == 0 or i == n % 20],
                ),
            )
        db.session.commit()
    page(client, "/series/small")  # first request: templates compiled, caches warm
    with counted_queries(app) as short_run:
        page(client, "/series/small")
    with counted_queries(app) as long_run:
        html = page(client, "/series/long")
    table = read_overview(html)
    # The first page charts the upcoming meetings (40 to 60) and a page of past ones.
    header = table.rows[0]
    assert len(table.rows) == 21 and len(header) == 2 + 21 + PAST_PER_PAGE
    assert sum(cell.endswith(", held") for cell in header) == PAST_PER_PAGE
    assert len(long_run) == len(short_run) <= 6, long_run
