"""Reading through the JSON API: public details for everyone, the notes only
for members of the series and facilitators, each as their audience sees them;
every failure is JSON with the right 4xx."""

from __future__ import annotations

import pytest

from notesbase.models import Role
from tests.api.api_support import (
    CALLERS,
    CONFIDENTIAL,
    FORBIDDEN,
    JANE,
    MEMBERS_ONLY,
    SPAN,
    build_world,
    error_of,
    send,
)

MEETING = "/api/v1/series/cop/meetings/1"


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def test_series_list_for_everyone(client, world):
    """Everyone gets every series with its meeting count and links."""
    response = client.get("/api/v1/series")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    listed = {s["slug"]: s for s in response.get_json()["series"]}
    assert set(listed) == {"cop", "other"}
    cop = listed["cop"]
    assert cop["title"] == "Community of Practice"
    assert cop["description"] == "The **network**."
    assert cop["meeting_count"] == 2
    assert listed["other"]["meeting_count"] == 0
    assert cop["links"]["meetings"] == "/api/v1/series/cop/meetings"
    assert client.get(cop["links"]["self"]).get_json()["slug"] == "cop"
    assert client.get(cop["links"]["html"]).status_code == 200


def test_meetings_list_gives_public_details_only(client, world):
    """The meetings list carries public details; the registration link only
    while a meeting is upcoming; never any notes."""
    response = send(client, "GET", "/api/v1/series/cop/meetings", "facilitator", world)
    meetings = response.get_json()["meetings"]
    assert [m["number"] for m in meetings] == [1, 2]
    first, second = meetings
    assert first["title"] == "First meeting"
    assert first["date"] == "2024-07-18"
    assert first["topics"] == ["Open data"]
    assert first["timezone"] == "Europe/London"
    # Stored as upcoming, dated 2024: held, as its page says.
    assert first["status"] == "held" and first["upcoming"] is False
    assert first["registration_url"] is None
    assert second["upcoming"] is True and second["status"] == "upcoming"
    assert second["registration_url"] == "https://example.org/register/2"
    assert all("items" not in m for m in meetings)
    assert CONFIDENTIAL not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["public", "other"])
def test_meeting_without_items_for_public_and_other_series(client, world, who):
    """The public and members of other series get the public details, no
    ``items`` key, and exactly the public's JSON."""
    public = client.get(MEETING)
    response = send(client, "GET", MEETING, who, world)
    assert response.status_code == 200
    data = response.get_json()
    assert "items" not in data
    assert data == public.get_json()
    assert data["title"] == "First meeting"
    text = response.get_data(as_text=True)
    for planted in (*FORBIDDEN, MEMBERS_ONLY, "Publish the data"):
        assert planted not in text


def test_member_reads_the_members_view(client, world):
    """A member of the series gets the member audience's view: members-only
    items in, confidential items and spans and the unreleased name out, no
    facilitator fields."""
    response = send(client, "GET", MEETING, "member", world)
    data = response.get_json()
    by_id = {item["id"]: item for item in data["items"]}
    assert set(by_id) == {world.ids["open"], world.ids["members"], world.ids["mention"]}
    opening = by_id[world.ids["open"]]
    assert set(opening) == {"id", "kind", "section", "body_html", "attribution"}
    assert opening["kind"] == "point"
    assert opening["section"] == "Opening"
    assert opening["attribution"] == JANE
    assert "<p>Publish the data.</p>" in opening["body_html"]
    assert by_id[world.ids["mention"]]["attribution"] == "A participant"
    assert "Then we ate." in by_id[world.ids["mention"]]["body_html"]
    text = response.get_data(as_text=True)
    assert MEMBERS_ONLY in text
    for planted in FORBIDDEN:
        assert planted not in text
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("who", ["facilitator", "admin"])
def test_facilitators_see_everything(client, world, who):
    """Facilitators and admins see every item with body, speaker and
    confidentiality."""
    data = send(client, "GET", MEETING, who, world).get_json()
    by_id = {item["id"]: item for item in data["items"]}
    assert len(by_id) == 4
    secret = by_id[world.ids["confidential"]]
    assert secret["confidentiality"] == "confidential"
    assert secret["body"] == CONFIDENTIAL
    assert secret["speaker"]["name"] == "Zebedee Quillfeather"
    assert secret["speaker"]["affiliation"] == "Hiddenhouse Trust"
    assert secret["version"] == 1
    assert SPAN in by_id[world.ids["mention"]]["body"]
    assert by_id[world.ids["open"]]["speaker"]["id"] == world.ids["jane"]


@pytest.mark.parametrize("who", CALLERS)
def test_every_reader_endpoint_answers_everyone(client, world, who):
    """Every read endpoint answers 200 JSON for every kind of caller."""
    for url in (
        "/api/v1/series",
        "/api/v1/series/cop",
        "/api/v1/series/cop/meetings",
        MEETING,
        "/api/v1/series/cop/meetings/2",
    ):
        response = send(client, "GET", url, who, world)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json"
        assert "Authorization" in response.headers["Vary"]


def test_a_browser_cookie_is_ignored(client, world, auth):
    """A facilitator logged in by cookie but sending no token is the public."""
    auth.login("facilitator@example.org")
    response = client.get(MEETING)
    assert "items" not in response.get_json()
    refused = client.post("/api/v1/people", json={"name": "Someone"})
    error_of(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer nb_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"],
)
def test_unusable_credentials_are_401(client, world, header):
    """An unknown token or another kind of credentials is a 401, even on a
    public endpoint: a client must learn its token is wrong."""
    response = client.get("/api/v1/series", headers={"Authorization": header})
    error_of(response, 401)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/series/nope",
        "/api/v1/series/nope/meetings",
        "/api/v1/series/cop/meetings/99",
        "/api/v1/series/other/meetings/1",
        "/api/v1/xyz",
        "/api/v1/series/cop/meetings/one",
        "/api/v2/series",
    ],
)
def test_not_found_is_json(client, world, url):
    """Unknown series, meetings and paths are a 404 in JSON, for everyone."""
    for who in ("public", "member"):
        error_of(send(client, "GET", url, who, world), 404)


def test_unknown_item_is_json_404_for_facilitators(client, world):
    """A facilitator asking for an item that does not exist gets a JSON 404."""
    error_of(send(client, "GET", "/api/v1/items/9999", "facilitator", world), 404)
    error_of(send(client, "DELETE", "/api/v1/items/9999", "facilitator", world), 404)


def test_wrong_method_is_json_405(client, world):
    """A method a path does not take is a JSON 405 naming the allowed ones."""
    response = send(client, "DELETE", "/api/v1/series", "facilitator", world)
    error_of(response, 405)
    assert "POST" in response.headers["Allow"]
    error_of(send(client, "PUT", MEETING, "public", world), 405)


def test_html_error_pages_are_untouched(client, world, login_as):
    """Outside /api/ a 404 or 405 is still the HTML error page."""
    missing = client.get("/series/nope")
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    login_as(Role.MEMBER, email="browser@example.org")
    wrong = client.get("/account/tokens")
    assert wrong.status_code == 405
    assert wrong.mimetype == "text/html"
