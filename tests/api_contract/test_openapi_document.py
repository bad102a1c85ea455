"""The OpenAPI document: it names exactly the routes under /api/v1, it is a
valid OpenAPI 3.1 document, and anyone may fetch (and cache) it."""

from __future__ import annotations

import copy
import json
import re

import jsonschema_rs
import pytest
import schemathesis

from notesbase.api.openapi import DOCUMENT
from tests.api.api_support import build_world

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app) -> set[tuple[str, str]]:
    """(path in OpenAPI spelling, method) for every rule under /api/v1."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        routes |= {(path, method) for method in rule.methods - IGNORED_METHODS}
    return routes


def documented_routes() -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_document_names_every_route_and_nothing_else(app):
    """A route added without documenting it (or documented and gone) fails here."""
    assert documented_routes() == app_routes(app)


def test_every_path_parameter_is_documented():
    """Each {name} in a path has a required path parameter of that name."""
    for path, item in DOCUMENT["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (method, path)


def test_document_is_valid_openapi():
    """schemathesis validates it against the OpenAPI 3.1 schema, and every
    component is a valid JSON Schema (2020-12, as OpenAPI 3.1 uses)."""
    schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
    schema.validate()
    assert len(list(schema.get_all_operations())) == len(documented_routes())
    for name, component in DOCUMENT["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(component), name


def test_token_routes_and_public_routes_are_marked():
    """Reading is public (a token optional) but for items, people, reviews
    and the caller's own (``/me/``); every write needs a token, or a
    reviewer's link or session."""
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            public = {} in operation["security"]
            guarded = ("/items/", "/people", "/review", "/me/", "/retention")
            assert public == (method == "get" and not any(p in path for p in guarded))
            if path.startswith("/review/"):
                assert {"bearer": []} not in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)


@pytest.mark.parametrize("who", ["public", "member"])
def test_document_is_served_to_anyone(app, client, make_member, make_series, who):
    """GET /api/v1/openapi.json: the document as JSON; cacheable for the
    public (ETag, 304), never stored when a token asked."""
    world = build_world(app, make_member, make_series)
    response = client.get(f"{PREFIX}/openapi.json", headers=world.headers(who))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(DOCUMENT))
    if who == "public":
        assert response.headers["Cache-Control"] == "public, max-age=3600"
        etag = response.headers["ETag"]
        again = client.get(f"{PREFIX}/openapi.json", headers={"If-None-Match": etag})
        assert again.status_code == 304
    else:
        assert response.headers["Cache-Control"] == "no-store"


def test_an_invalid_token_is_refused_even_for_the_document(client):
    response = client.get(f"{PREFIX}/openapi.json", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_every_failure_the_api_gives_is_documented_where_it_can_happen():
    """503 (with Retry-After) on every operation, and on every write 400,
    409, 413, 422 and the Idempotency-Key header; 403 wherever a token's
    role is needed; 429 where a limit applies. Each in the error shape."""
    responses = DOCUMENT["components"]["responses"]
    for status, name in [("503", "Unavailable"), ("429", "TooManyRequests")]:
        assert responses[name]["headers"]["Retry-After"]
        detail = responses[name]["content"]["application/json"]["schema"]
        assert detail["properties"]["error"]["allOf"][1]["properties"]["status"] == {
            "const": int(status)
        }
    assert responses["Unavailable"]["headers"]["Retry-After"]["required"] is True
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert "503" in statuses, (method, path)
            headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            if method == "get":
                assert headers == [], (method, path)
                continue
            assert {"400", "401", "403", "409", "413", "422"} <= statuses, (method, path)
            assert headers == ["Idempotency-Key"], (method, path)
            for status, answer in operation["responses"].items():
                if status.startswith("2"):
                    assert "Idempotent-Replayed" in answer["headers"], (method, path)
    assert "429" in DOCUMENT["paths"]["/search"]["get"]["responses"]
