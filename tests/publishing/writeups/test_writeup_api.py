"""The write-up in the JSON API: GET is public and a 404 until published;
POST publishes with a facilitator's token (409 with the findings while the
leak check finds something); DELETE unpublishes. Errors keep the API's shape."""

from __future__ import annotations

import pytest

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience
from notesbase.models import Person
from tests.api.api_support import error_of
from tests.publishing.writeups.writeup_support import (
    API,
    CONFIDENTIAL,
    HIDDEN,
    MEMBERS_ONLY,
    NAMED,
    NAMED_CREDIT,
    SPAN,
    call,
    log_in,
    save,
    world_fixture,  # noqa: F401 - a fixture
    writeup_row,
)

FORBIDDEN = (CONFIDENTIAL, MEMBERS_ONLY, SPAN, HIDDEN, "Hiddenname")


@pytest.fixture
def drafted(app, world):
    """A saved draft with a summary and two open items."""
    client = app.test_client()
    log_in(client, "facilitator@example.org")
    response = save(client, f"{NAMED} and {HIDDEN} met.", [world["quote"], world["mention"]])
    assert response.status_code == 302
    return world


def test_get_is_404_until_published_then_the_public_view(app, client, drafted):
    """Before: the API's JSON 404. After POST: the public write-up for anyone,
    with nothing the public may not see."""
    error_of(call(client, "GET"), 404)
    response = call(client, "POST", drafted["facilitator_token"])
    assert response.status_code == 200, response.get_data(as_text=True)
    response = call(client, "GET")
    assert response.status_code == 200
    data = response.get_json()
    assert data["series"] == "cop" and data["number"] == 1
    assert data["title"] == "Write-up of meeting 1: First meeting"
    assert data["published_at"] and data["first_published_at"]
    assert data["items"][0]["attribution"] == NAMED_CREDIT
    assert data["links"]["html"] == "/series/cop/meetings/1/writeup"
    raw = response.get_data(as_text=True)
    assert NAMED in data["summary_text"]
    for secret in FORBIDDEN:
        assert secret not in raw, secret
    assert "no-store" not in response.headers.get("Cache-Control", "")  # public, cacheable


def test_consent_withdrawn_changes_the_api_at_once(app, client, drafted):
    call(client, "POST", drafted["facilitator_token"])
    assert NAMED in call(client, "GET").get_data(as_text=True)
    with app.app_context():
        person = db.session.query(Person).filter_by(name=NAMED).one()
        grants.withdraw_all(person, actor=None)
        db.session.commit()
    raw = call(client, "GET").get_data(as_text=True)
    assert NAMED not in raw and "Inkwell" not in raw


def test_delete_unpublishes(app, client, drafted):
    call(client, "POST", drafted["facilitator_token"])
    response = call(client, "DELETE", drafted["facilitator_token"])
    assert response.status_code == 204
    error_of(call(client, "GET"), 404)
    assert writeup_row(app).published_at is None
    error_of(call(client, "DELETE", drafted["facilitator_token"]), 404)


def test_leak_check_failure_is_409_with_findings(app, client, world):
    """A summary copying a confidential item: 409, the findings as JSON,
    nothing published."""
    browser = app.test_client()
    log_in(browser, "facilitator@example.org")
    save(browser, f"Someone said {CONFIDENTIAL}.", [world["quote"]])
    response = call(client, "POST", world["facilitator_token"])
    error = error_of(response, 409)
    assert error["findings"], error
    assert {"key", "rule", "where", "match", "why"} <= set(error["findings"][0])
    assert any(f["where"] == "summary" for f in error["findings"])
    assert writeup_row(app).published_at is None
    error_of(call(client, "GET"), 404)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_only_facilitators_publish_or_unpublish(app, client, drafted, method):
    """No token: 401; a member's token: 403; nothing changes."""
    error_of(call(client, method), 401)
    error_of(call(client, method, drafted["perpetua_token"]), 403)
    assert writeup_row(app).published_at is None


def test_stale_version_is_409(app, client, drafted):
    version = writeup_row(app).version
    error = error_of(call(client, "POST", drafted["facilitator_token"], {"version": 99}), 409)
    assert error["fields"]["version"] == f"The current version is {version}."
    response = call(client, "POST", drafted["facilitator_token"], {"version": version})
    assert response.status_code == 200


def test_bad_bodies_and_addresses(app, client, drafted):
    """Unknown fields 422, no write-up 404, unknown meeting 404: all JSON."""
    token = drafted["facilitator_token"]
    error = error_of(call(client, "POST", token, {"summary": "x"}), 422)
    assert "summary" in error["fields"]
    error_of(call(client, "POST", token, url=API.replace("/1/", "/2/")), 404)
    error_of(call(client, "GET", url=API.replace("/1/", "/9/")), 404)
    error_of(call(client, "POST", token, url="/api/v1/series/nope/meetings/1/writeup"), 404)


def test_public_grant_named_shows_in_api(app, client, drafted):
    """A public grant given after publishing shows on the next request."""
    call(client, "POST", drafted["facilitator_token"])
    with app.app_context():
        zed = db.session.query(Person).filter_by(name=HIDDEN).one()
        grants.grant(zed, ConsentAudience.PUBLIC, "named", grants.Scope(), actor=None)
        db.session.commit()
    assert HIDDEN in call(client, "GET").get_data(as_text=True)
