"""The failures the API really gives answer inside the OpenAPI document: a
503 from a database that stays locked (with Retry-After and the error
shape), and a 429 from the search limit, each checked by schemathesis
against the operation it came from."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from tests.api.api_support import build_world
from tests.api_contract.contract_support import CHECKS
from tests.support.lock_support import write_lock


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "SQLITE_BUSY_TIMEOUT": 0.2,
        "DATABASE_LOCK_TIMEOUT": 0.2,
        "SEARCH_RATE_LIMIT": "1/minute",
    }


def test_a_real_503_answers_inside_the_document(app, make_member, make_series):
    """Adding an item while the items table is locked: 503 per the document."""
    world = build_world(app, make_member, make_series)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/series/{slug}/meetings/{number}/items"]["POST"]
    headers = {**world.headers("facilitator"), "Idempotency-Key": "locked-out"}
    case = operation.Case(
        path_parameters={"slug": "cop", "number": 1},
        headers=headers,
        body={"kind": "point", "body": "Locked out"},
        media_type="application/json",
    )
    with write_lock(app):
        response = case.call()
    assert response.status_code == 503, response.text
    # a 503 is a server error by definition: the other checks hold it to the document
    case.validate_response(response, checks=[c for c in CHECKS if c is not not_a_server_error])
    assert int(response.headers["retry-after"][0]) > 0
    again = case.call()  # the lock is gone: the same key does the work now
    assert again.status_code == 201, again.text
    case.validate_response(again, checks=CHECKS)


def test_a_real_429_answers_inside_the_document(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    case = schema["/search"]["GET"].Case(query={"q": "data"})
    statuses = []
    for _ in range(2):
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        statuses.append(response.status_code)
    assert statuses == [200, 429]
