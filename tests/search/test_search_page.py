"""The search page: a search box on every page; results with highlighted
snippets, meeting, date and topics; filters, topic counts, sorting,
pagination and "all meetings on this theme"; and a friendly 400 for any
query that cannot run, answered quickly."""

from __future__ import annotations

import html
import re
import time
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Series
from notesbase.notes import items
from tests.conftest import PASSWORD, csrf_token_from
from tests.search import search_support as s

MANY = "plantmany"
MANY_COUNT = 13
HIT = re.compile(r'<li class="search-hit">(.*?)</li>', re.S)
HIT_LINK = re.compile(r'<h2 class="search-hit-title">\s*<a href="([^"]+)"')
DATETIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\d)"')
STATUS = re.compile(r'<p class="muted" role="status">(.*?)</p>', re.S)
# The page's message, or the message beside the one filter to correct.
MESSAGE = re.compile(
    r'<p class="(?:callout search-message" role="status"|error" id="search-[a-z-]+-error")>'
    r"(.*?)</p>",
    re.S,
)
FACET = re.compile(r'<li><a href="([^"]+)">([^<]*)</a> <span class="muted">(\d+)</span></li>')


@pytest.fixture
def world(app, make_member, make_series) -> s.World:
    """The planted world, and a third meeting with more hits than one page."""
    world = s.build_world(app, make_member, make_series)
    with app.app_context():
        cop = db.session.scalar(sa.select(Series).where(Series.slug == "cop"))
        third = s.add_meeting(cop, 3, "Third gathering", date(2025, 5, 5), ["Housing"])
        for number in range(MANY_COUNT):
            body = f"Point {number}: {MANY} <script>alert(1)</script> <img src=x onerror=alert(2)>"
            items.create_item(third, items.ItemFields(Kind.POINT, body), actor=None)
        db.session.commit()
    return world


def log_in(client: Any, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token_from(page), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302


def search(client: Any, **query: Any) -> tuple[int, str]:
    response = client.get("/search", query_string=query)
    return response.status_code, response.get_data(as_text=True)


def hits_of(page: str) -> list[str]:
    return [html.unescape(block) for block in HIT.findall(page)]


def links_of(page: str) -> list[str]:
    return [html.unescape(url) for url in HIT_LINK.findall(page)]


def labels_of(world: s.World, page: str) -> list[str]:
    return sorted(world.label_of_url(url) for url in links_of(page))


def status_line(page: str) -> str:
    match = STATUS.search(page)
    return " ".join(html.unescape(match.group(1)).split()) if match else ""


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/series/cop",
        "/series/cop/meetings/1",
        "/topics/",
        "/login",
        "/search",
        "/search?q=gathering",
        "/search?q=(((",
        "/no/such/page",
    ],
)
def test_every_page_has_the_search_box(client, world, url):
    """The header of every page, error pages included, holds a GET search
    form that sends ``q`` to the search page."""
    page = client.get(url).get_data(as_text=True)
    form = re.search(r'<form class="header-search"[^>]*>(.*?)</form>', page, re.S)
    assert form, url
    assert 'method="get"' in form.group(0) and 'action="/search"' in form.group(0)
    assert re.search(r'<input[^>]*name="q"', form.group(1))


def test_the_notes_page_of_a_member_has_the_search_box(client, world):
    log_in(client, "member@example.org")
    page = client.get("/series/cop/meetings/1/notes").get_data(as_text=True)
    assert '<form class="header-search"' in page


def test_a_hit_shows_highlight_meeting_date_topics_and_credit(client, world):
    """A hit names the series, meeting number and title, its date, its
    topics (each a link to all meetings on that theme), its kind and credit,
    and a snippet with the words found marked."""
    log_in(client, "member@example.org")
    status, page = search(client, q=s.OPEN_WORD)
    assert status == 200
    [hit] = hits_of(page)
    assert "Meeting 1: Kickoff gathering" in hit
    assert '<span class="series-name">Community of Practice</span>' in hit
    assert '<time datetime="2025-01-15">15 January 2025</time>' in hit
    assert f"<mark>{s.OPEN_WORD}</mark>" in hit
    assert "Xylia Vantablack (Quorvex Institute)" in hit
    assert "Point" in hit
    theme = re.search(r'<a class="tag" href="([^"]+)"[^>]*>Open data</a>', hit)
    assert theme, hit
    assert "All meetings on this theme" in hit
    query = parse_qs(urlsplit(theme.group(1)).query)
    assert query["topic"] == ["open-data"]
    assert links_of(page) == [f"/series/cop/meetings/1/notes#item-{world.ids['open']}"]
    assert status_line(page) == "1 result."


def test_a_phrase_and_a_prefix_are_highlighted(client, world):
    log_in(client, "member@example.org")
    _status, page = search(client, q=f'"{s.OPEN_WORD} aloud"')
    assert "<mark>aloud</mark>" in page and f"<mark>{s.OPEN_WORD}</mark>" in page
    _status, page = search(client, q="plantop*")
    assert f"<mark>{s.OPEN_WORD}</mark>" in page


def test_all_meetings_on_this_theme(client, world):
    """The theme link lists every document on that topic the reader may
    see, from every meeting and series, newest first."""
    log_in(client, "member@example.org")
    _status, page = search(client, q=s.OPEN_WORD)
    theme = re.search(r'<a class="tag" href="([^"]+)"[^>]*>Open data</a>', page)
    assert theme
    response = client.get(html.unescape(theme.group(1)))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert labels_of(world, page) == ["desc", "else", "mem", "open"]
    days = DATETIME.findall(page)
    assert days == sorted(days, reverse=True) and days[0] == "2025-02-01"


@pytest.mark.parametrize(
    ("filters", "want"),
    [
        ({"series": "cop"}, ["desc", "m2", "mem", "mention", "open", "third"]),
        ({"series": "other"}, ["else"]),
        ({"topic": "health-data"}, ["m2", "mention"]),
        ({"topic": "climate"}, ["else"]),
        ({"kind": "decision"}, ["mem"]),
        ({"kind": "meeting"}, ["desc", "else", "m2", "third"]),
        ({"meeting_from": "2"}, ["m2", "mention", "third"]),
        ({"meeting_to": "1"}, ["desc", "else", "mem", "open"]),
        ({"meeting_from": "2", "meeting_to": "2"}, ["m2", "mention"]),
        ({"from": "2025-02-01"}, ["else", "m2", "mention", "third"]),
        ({"to": "2025-01-31"}, ["desc", "mem", "open"]),
        ({"from": "2025-02-01", "to": "2025-03-31"}, ["else", "m2", "mention"]),
        ({"series": "cop", "kind": "action", "from": "2025-03-01"}, ["mention"]),
    ],
)
def test_filters(client, world, filters, want):
    """Each filter of the form narrows the member's results. Every document
    carries its meeting's title, so 'gathering' finds them all; the third
    meeting's many items are left out, its own document is 'third'."""
    log_in(client, "member@example.org")
    query = {"q": "gathering -plantmany", **filters}
    status, page = search(client, **query)
    assert status == 200
    labels = [
        "third" if url == "/series/cop/meetings/3" else world.label_of_url(url)
        for url in links_of(page)
    ]
    assert sorted(labels) == want
    named = {"cop": " in Community of Practice", "other": " in Other Network"}
    one_series = named.get(filters.get("series", ""), "")
    expected = f"{len(want)} result{'' if len(want) == 1 else 's'}{one_series}."
    assert status_line(page).startswith(expected if want else "Nothing found")
    assert 'class="search-filters" open' in page


def test_topic_counts_and_their_links(client, world):
    """The topic counts cover all the reader's results (not only the page
    shown); each links to the same search narrowed to that topic."""
    log_in(client, "member@example.org")
    _status, page = search(client, q="plant*")
    facets = {name: (html.unescape(href), int(n)) for href, name, n in FACET.findall(page)}
    assert {name: n for name, (_href, n) in facets.items()} == {
        "Housing": MANY_COUNT,
        "Open data": 3,
        "Health data": 1,
    }
    href, _count = facets["Health data"]
    query = parse_qs(urlsplit(href).query)
    assert query["topic"] == ["health-data"] and query["q"] == ["plant*"]
    narrowed = client.get(href).get_data(as_text=True)
    assert labels_of(world, narrowed) == ["mention"]


def test_sort_by_date_puts_the_newest_first(client, world):
    log_in(client, "facilitator@example.org")
    status, page = search(client, q="gathering -plantmany", sort="date")
    assert status == 200
    days = DATETIME.findall(page)
    assert len(days) == 10
    assert days == sorted(days, reverse=True)
    status, relevance = search(client, q="gathering -plantmany")
    assert status == 200 and len(DATETIME.findall(relevance)) == 10


def test_pagination(client, world):
    """More than a page of hits: ten on the first page with a link to the
    next, the rest on the second with a link back; no hit twice."""
    log_in(client, "member@example.org")
    _status, first = search(client, q=MANY)
    assert len(links_of(first)) == 10
    assert status_line(first) == f"{MANY_COUNT} results, page 1 of 2."
    following = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert following and 'rel="prev"' not in first
    response = client.get(html.unescape(following.group(1)))
    second = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(links_of(second)) == MANY_COUNT - 10
    assert status_line(second) == f"{MANY_COUNT} results, page 2 of 2."
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert len(set(links_of(first)) | set(links_of(second))) == MANY_COUNT
    _status, by_date = search(client, q=MANY, sort="date", page=2)
    assert len(links_of(by_date)) == MANY_COUNT - 10


def test_a_page_past_the_last_shows_no_hits_of_another_page(client, world):
    """Asking for page 3 of 2 gets a message, nothing, or page 2 said to be
    page 2: never page 2's hits presented as page 3 of 2."""
    log_in(client, "member@example.org")
    _status, second = search(client, q=MANY, page=2)
    status, third = search(client, q=MANY, page=3)
    assert status in (200, 400)
    line = status_line(third)
    assert "page 3 of 2" not in line
    if set(links_of(third)) & set(links_of(second)):
        assert "page 2 of 2" in line


def test_snippets_and_the_query_are_escaped(client, world):
    """Markup typed into notes or into the query reaches the page as text;
    only <mark> is markup in a snippet."""
    log_in(client, "member@example.org")
    status, page = search(client, q=f'{MANY} "<script>alert(3)</script>"')
    assert status == 200
    assert "<script>alert(" not in page and "<img src=x" not in page
    for hit in HIT.findall(page):
        snippet = re.search(r'<p class="search-snippet">(.*?)</p>', hit, re.S)
        assert snippet
        assert set(re.findall(r"</?(\w+)", snippet.group(1))) <= {"mark"}


def test_the_search_page_without_a_query_shows_the_form(client, world):
    status, page = search(client)
    assert status == 200
    assert 'id="search-q"' in page and not MESSAGE.search(page)
    assert not hits_of(page)


@pytest.mark.parametrize("query", ["", "   ", "\t"])
def test_an_empty_query_gets_a_friendly_message(client, world, query):
    status, page = search(client, q=query)
    assert status == 400
    message = MESSAGE.search(page)
    assert message and "word" in message.group(1).lower()
    assert not hits_of(page)


@pytest.mark.parametrize("name", list(s.GARBAGE))
def test_garbage_gets_a_400_with_a_message_quickly(client, world, name):
    """Queries and parameters that cannot run answer 400 with a message in
    the page, never a 500; parsing is bounded, so each answers in moments
    (a runaway parse would take minutes; the bound is loose so a busy machine
    does not fail it)."""
    log_in(client, "member@example.org")
    search(client, q="warm")
    started = time.perf_counter()
    status, page = search(client, **s.GARBAGE[name])
    elapsed = time.perf_counter() - started
    assert status == 400, name
    message = MESSAGE.search(page)
    assert message and message.group(1).strip(), name
    assert "Traceback" not in page
    assert elapsed < 10.0, f"{name}: {elapsed:.2f} s"
    s.assert_none_of(page, s.forbidden_for("public"), name)


@pytest.mark.parametrize(
    "query",
    [
        {"q": "gathering", "series": "\x00"},
        {"q": "gathering", "topic": "\x00\x01"},
        {"q": "gathering", "kind": "\x00"},
        {"q": "gathering", "sort": "\x00"},
        {"q": "gathering\x00", "from": "2025\x00"},
        {"q": "\x00gathering\x1b"},
    ],
)
def test_control_characters_in_any_parameter_never_fail(client, world, query):
    """A NUL or escape in any parameter is a 200 or a 400, on every
    database (PostgreSQL refuses NUL in text)."""
    status, page = search(client, **query)
    assert status in (200, 400), query
    assert "Traceback" not in page


@pytest.mark.parametrize(
    "query",
    [
        " OR ".join(f"plant{i}*" for i in range(30)),
        " ".join(["plant*"] * 16),
        " OR ".join(["pla*"] * 60),
        '"' + " ".join(["gathering"] * 40) + '"',
    ],
)
def test_costly_looking_queries_answer_quickly(client, world, query):
    """Many prefixes, ORs or a long phrase within the length limit answer
    (with hits or a message) in well under a second."""
    search(client, q="warm")
    started = time.perf_counter()
    status, _page = search(client, q=query[:300])
    assert status in (200, 400)
    assert time.perf_counter() - started < 1.0
