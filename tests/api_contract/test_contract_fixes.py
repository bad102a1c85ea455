"""What the contract run found, kept fixed: a number past the database's
range in a path is a 404 (not a 405 naming methods that would fail too);
a NUL in a slug or email looked up is a miss, not a PostgreSQL error; an
unpaired surrogate in a JSON string is a 422, not a 500; a registration
link that is not even a URL is a 422."""

from __future__ import annotations

import pytest

from tests.api.api_support import build_world, error_of, send

TOO_BIG = 2**31  # one past PostgreSQL's integer


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def test_a_number_out_of_range_is_a_404_with_any_method(client, world):
    """Werkzeug said 405 (Allow: GET, ...) though no method can match the path."""
    for method, url in [
        ("DELETE", f"/api/v1/items/{TOO_BIG}"),
        ("PATCH", f"/api/v1/items/{TOO_BIG}"),
        ("PUT", f"/api/v1/people/{TOO_BIG}/consent"),
        ("POST", f"/api/v1/series/cop/meetings/{TOO_BIG}/writeup"),
    ]:
        response = send(client, method, url, "facilitator", world, {})
        error_of(response, 404)
        assert "Allow" not in response.headers, url


def test_a_wrong_method_is_still_a_405_naming_the_right_ones(client, world):
    response = send(client, "PUT", f"/api/v1/items/{world.ids['open']}", "facilitator", world)
    error_of(response, 405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"


def test_a_nul_in_a_lookup_is_a_miss(client, world):
    """PostgreSQL cannot compare text holding a NUL: the lookup must not run."""
    jane = world.ids["jane"]
    grant = {"audience": "public", "level": "named", "series": "c\x00"}
    for method, url, body, status in [
        ("GET", "/api/v1/series/co%00p", None, 404),
        ("GET", "/api/v1/series/co%00p/meetings/1", None, 404),
        ("DELETE", "/api/v1/series/co%00p/meetings/1/writeup", None, 404),
        ("DELETE", f"/api/v1/people/{jane}/consent?audience=public&series=co%00p", None, 422),
        ("PUT", f"/api/v1/people/{jane}/consent", grant, 422),
        ("POST", "/api/v1/series/cop/members", {"email": "member\x00@example.org"}, 404),
    ]:
        error_of(send(client, method, url, "facilitator", world, body), status)


def test_an_unpaired_surrogate_is_a_422(client, world):
    """'\\ud800' is valid JSON but has no UTF-8 form: refused by name, nothing stored."""
    meeting = {"number": 9, "title": "T", "date": "2025-01-01", "topics": ["\ud800"]}
    for method, url, body, field in [
        ("POST", "/api/v1/series", {"slug": "x", "title": "T\ud800"}, "title"),
        ("POST", "/api/v1/people", {"name": "Ann\udfff"}, "name"),
        ("PATCH", f"/api/v1/items/{world.ids['open']}", {"body": "\ud800"}, "body"),
        ("POST", "/api/v1/series/cop/meetings", meeting, "topics"),
    ]:
        error = error_of(send(client, method, url, "facilitator", world, body), 422)
        assert "surrogate" in error["fields"][field]
    assert send(client, "GET", "/api/v1/series/x", "public", world).status_code == 404
    assert send(client, "GET", "/api/v1/series/cop/meetings/9", "public", world).status_code == 404


def test_a_registration_link_that_is_no_url_is_a_422(client, world):
    body = {"number": 9, "title": "T", "date": "2025-01-01", "registration_url": "http://[x"}
    response = send(client, "POST", "/api/v1/series/cop/meetings", "facilitator", world, body)
    assert "registration_url" in error_of(response, 422)["fields"]


def test_a_whole_number_written_with_a_fraction_is_a_whole_number(client, world):
    """JSON (and the document's "integer") make 3.0 the number 3; 3.5 is still refused."""
    body = {"number": 3.0, "title": "Third", "date": "2025-01-01"}
    response = send(client, "POST", "/api/v1/series/cop/meetings", "facilitator", world, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["number"] == 3
    body = {"number": 4.5, "title": "Fourth", "date": "2025-01-01"}
    response = send(client, "POST", "/api/v1/series/cop/meetings", "facilitator", world, body)
    assert "number" in error_of(response, 422)["fields"]
