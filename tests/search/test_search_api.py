"""``GET /api/v1/search``: the search page's rules as JSON. The public (no
token) finds public documents only; a member's token finds their series'
notes too; cookies are never read; every failure is a JSON 4xx."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import ApiToken, Meeting
from notesbase.notes import items
from tests.api.api_support import error_of
from tests.conftest import PASSWORD, csrf_token_from
from tests.search import search_support as s

URL = "/api/v1/search"


@pytest.fixture
def world(app, make_member, make_series) -> s.World:
    return s.build_world(app, make_member, make_series)


def get(client: Any, world: s.World, reader: str, **query: Any) -> Any:
    return client.get(URL, query_string=query, headers=world.headers(reader))


def labels(world: s.World, data: dict[str, Any]) -> list[str]:
    return sorted(world.label_of(hit) for hit in data["results"])


def test_the_public_finds_public_documents_only(client, world):
    """Without a token: the meetings' own public documents, never an item."""
    data = get(client, world, "public", q="gathering").get_json()
    assert labels(world, data) == ["desc", "else", "m2"]
    assert {hit["type"] for hit in data["results"]} == {"meeting"}
    assert {hit["item"] for hit in data["results"]} == {None}
    for query in ("plant*", s.OPEN_WORD, "Vantablack", f"{s.MEM_ITEM} OR {s.DESC_WORD}"):
        data = get(client, world, "public", q=query).get_json()
        assert labels(world, data) in ([], ["desc"]), query
        s.assert_none_of(str(data["results"]), s.forbidden_for("public"), query)


@pytest.mark.parametrize(
    ("reader", "want"),
    [
        ("member", ["desc", "mem", "mention", "open"]),
        ("other", ["desc", "other"]),
        ("facilitator", ["conf", "desc", "gone", "mem", "mention", "open", "other"]),
    ],
)
def test_a_token_finds_its_members_series(client, world, reader, want):
    data = get(client, world, reader, q="plant*").get_json()
    assert labels(world, data) == want
    assert data["total"] == len(want)


def test_an_item_hit_in_json(client, world):
    """Everything a client needs to show a hit, from the disclosed view."""
    response = get(client, world, "member", q=s.OPEN_WORD)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert (data["query"], data["total"], data["page"], data["pages"]) == (s.OPEN_WORD, 1, 1, 1)
    assert data["topics"] == [{"slug": "open-data", "name": "Open data", "count": 1}]
    [hit] = data["results"]
    assert hit == {
        "type": "item",
        "kind": "point",
        "series": "cop",
        "meeting": 1,
        "title": "Kickoff gathering",
        "date": "2025-01-15",
        "topics": ["open-data"],
        "section": "",
        "attribution": "Xylia Vantablack (Quorvex Institute)",
        "item": world.ids["open"],
        "snippet_html": hit["snippet_html"],
        "url": f"/series/cop/meetings/1/notes#item-{world.ids['open']}",
    }
    assert f"<mark>{s.OPEN_WORD}</mark>" in hit["snippet_html"]
    assert s.MEM_SPAN in hit["snippet_html"] and s.CONF_SPAN not in hit["snippet_html"]
    endpoint, arguments = client.application.url_map.bind("localhost").match(
        hit["url"].split("#")[0]
    )
    assert (endpoint, arguments) == ("notes.read", {"slug": "cop", "number": 1})


def test_a_meeting_hit_in_json(client, world):
    [hit] = get(client, world, "public", q=s.DESC_WORD).get_json()["results"]
    assert (hit["type"], hit["kind"], hit["item"], hit["attribution"]) == (
        "meeting",
        "meeting",
        None,
        None,
    )
    assert hit["url"] == "/series/cop/meetings/1"
    assert f"<mark>{s.DESC_WORD}</mark>" in hit["snippet_html"]


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ({"series": "cop"}, ["desc", "m2", "mem", "mention", "open"]),
        ({"series": "other"}, ["else"]),
        ({"topic": "health-data"}, ["m2", "mention"]),
        ({"kind": "decision"}, ["mem"]),
        ({"kind": "meeting"}, ["desc", "else", "m2"]),
        ({"from": "2025-02-01"}, ["else", "m2", "mention"]),
        ({"to": "2025-01"}, ["desc", "mem", "open"]),
        ({"from": "2025-02", "to": "2025-02"}, ["else"]),
        ({"meeting_from": "2"}, ["m2", "mention"]),
    ],
)
def test_parameters(client, world, query, want):
    data = get(client, world, "member", q="gathering", **query).get_json()
    assert labels(world, data) == want
    assert data["total"] == len(want)


def test_pages(app, client, world):
    """``page`` and ``pages``: ten results a page, the rest on the next; a
    page past the last is a 400, empty, or says which page it shows."""
    with app.app_context():
        meeting = db.session.get(Meeting, world.ids["second"])
        for number in range(12):
            fields = items.ItemFields(Kind.POINT, f"Point {number} plantpaged")
            items.create_item(meeting, fields, actor=None)
        db.session.commit()
    first = get(client, world, "member", q="plantpaged").get_json()
    second = get(client, world, "member", q="plantpaged", page=2).get_json()
    assert (first["total"], first["page"], first["pages"], len(first["results"])) == (12, 1, 2, 10)
    assert (second["total"], second["page"], second["pages"], len(second["results"])) == (
        12,
        2,
        2,
        2,
    )
    assert not {h["item"] for h in first["results"]} & {h["item"] for h in second["results"]}
    assert get(client, world, "public", q="plantpaged").get_json()["total"] == 0
    past = get(client, world, "member", q="plantpaged", page=3)
    if past.status_code == 200:
        data = past.get_json()
        assert data["results"] == [] or data["page"] <= data["pages"], (
            f"page {data['page']} of {data['pages']} shows another page's hits"
        )
    else:
        error_of(past, 400)


def test_cookies_are_never_read(client, world):
    """A logged-in browser calling the API is the public there."""
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token_from(page),
            "email": "facilitator@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    data = client.get(URL, query_string={"q": "plant*"}).get_json()
    assert labels(world, data) == ["desc"]
    s.assert_none_of(str(data), s.forbidden_for("public"))


def test_answers_to_a_token_are_not_cached(client, world):
    response = get(client, world, "member", q="plant*")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Authorization" in response.headers["Vary"]
    public = get(client, world, "public", q="plant*")
    assert "Authorization" in public.headers["Vary"]


@pytest.mark.parametrize(
    "header",
    ["Bearer nbt_not-a-real-token", "Bearer ", "Basic bWVtYmVyOnBhc3N3b3Jk", "Token abc"],
)
def test_bad_credentials_are_a_401(client, world, header):
    response = client.get(URL, query_string={"q": "plant*"}, headers={"Authorization": header})
    error = error_of(response, 401)
    s.assert_none_of(str(error), s.forbidden_for("public"))


def test_a_revoked_token_is_a_401(app, client, world):
    assert get(client, world, "member", q="plant*").status_code == 200
    with app.app_context():
        for row in db.session.scalars(sa.select(ApiToken)).all():
            tokens.revoke_token(row, actor=None)
        db.session.commit()
    error = error_of(get(client, world, "member", q="plant*"), 401)
    s.assert_none_of(str(error), s.forbidden_for("public"))


def test_other_methods_are_refused_in_json(client, world):
    for method in ("POST", "PUT", "DELETE"):
        error_of(client.open(URL, method=method, headers=world.headers("member")), 405)


@pytest.mark.parametrize("name", list(s.GARBAGE))
def test_garbage_is_a_400_in_json_quickly(client, world, name):
    """The page's 400s, as JSON errors with the same message, quickly."""
    get(client, world, "member", q="warm")
    started = time.perf_counter()
    response = get(client, world, "member", **s.GARBAGE[name])
    elapsed = time.perf_counter() - started
    error = error_of(response, 400)
    assert "Traceback" not in error["message"]
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"
    page = client.get("/search", query_string=s.GARBAGE[name])
    assert page.status_code == 400
    assert error["message"] in page.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize(
    "query",
    [
        {"q": "gathering", "series": "\x00"},
        {"q": "gathering", "topic": "\x00"},
        {"q": "gathering\x00", "to": "2025\x00"},
    ],
)
def test_control_characters_never_fail(client, world, query):
    response = get(client, world, "member", **query)
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"
