"""Writing the write-up through the API: PUT takes what the web form saves
(summary and items) with the version the caller read; 409 with the current
version on a mismatch, 422 per field as the form refuses, the leak check
before a published write-up changes; POST then publishes it. The web editor
and the API write the same draft."""

from __future__ import annotations

import pytest

from tests.api.api_support import error_of
from tests.publishing.writeups.writeup_support import (
    API,
    CONFIDENTIAL,
    HIDDEN,
    MEMBERS_ONLY,
    SPAN,
    call,
    form_version,
    log_in,
    save,
    world_fixture,  # noqa: F401 - a fixture
    writeup_row,
)


def put(client, world, body, *, who="facilitator", key=None):
    token = world[f"{who}_token"] if who else None
    if key is None:
        return call(client, "PUT", token, body)
    return client.put(
        API, json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    )


def test_put_writes_the_draft_then_post_publishes_it(app, client, world):
    """Version 0 makes the write-up; the answer is the draft with its new
    version; POST publishes it and the public reads it (nothing it may not)."""
    summary = "    indented code stays\n\nWe agreed to **publish**.\n"
    response = put(client, world, {"summary": summary, "items": [world["quote"]], "version": 0})
    assert response.status_code == 200, response.get_data(as_text=True)
    draft = response.get_json()
    assert draft["summary"] == summary.strip("\n")
    assert draft["items"] == [world["quote"]] and draft["published"] is False
    assert draft["version"] == writeup_row(app).version
    error_of(call(client, "GET"), 404)  # a draft is not public
    published = call(client, "POST", world["facilitator_token"], {"version": draft["version"]})
    assert published.status_code == 200
    text = call(client, "GET").get_data(as_text=True)
    assert "publish" in text and "Publish the data openly." in text
    for forbidden in (CONFIDENTIAL, MEMBERS_ONLY, SPAN, HIDDEN):
        assert forbidden not in text


def test_the_web_editor_and_the_api_write_the_same_draft(app, client, world):
    """What the form saved is what the API's version counts, and back."""
    browser = app.test_client()
    log_in(browser, "facilitator@example.org")
    assert save(browser, "From the form.", [world["quote"]]).status_code == 302
    version = writeup_row(app).version
    body = {"summary": "From the API.", "items": [world["mention"]], "version": version}
    assert put(client, world, body).status_code == 200
    html = browser.get(API.replace("/api/v1", "") + "/edit").get_data(as_text=True)
    assert "From the API." in html
    assert form_version(html) == str(writeup_row(app).version)


def test_a_stale_version_is_409_with_the_current_one(app, client, world):
    first = put(client, world, {"summary": "One.", "items": [], "version": 0}).get_json()
    body = {"summary": "Two.", "items": [], "version": 0}
    error = error_of(put(client, world, body), 409)
    assert error["fields"]["version"] == f"The current version is {first['version']}."
    assert writeup_row(app).summary == "One."
    body["version"] = first["version"]
    assert put(client, world, body).get_json()["summary"] == "Two."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"summary": "x" * 20_001, "items": [], "version": 0}, "summary"),
        ({"summary": "x", "items": ["1"], "version": 0}, "items"),
        ({"summary": "x", "items": [True], "version": 0}, "items"),
        ({"summary": "x", "items": [0], "version": 0}, "items"),
        ({"summary": "x", "items": [], "version": -1}, "version"),
        ({"summary": "x", "items": [], "version": "1"}, "version"),
        ({"summary": 5, "items": [], "version": 0}, "summary"),
        ({"summary": "\ud800", "items": [], "version": 0}, "summary"),
        ({"items": [], "version": 0}, "summary"),
        ({"summary": "x", "version": 0}, "items"),
        ({"summary": "x", "items": []}, "version"),
        ({"summary": "x", "items": [], "version": 0, "published": True}, "published"),
    ],
    ids=[
        "summary-too-long",
        "item-string",
        "item-bool",
        "item-zero",
        "version-negative",
        "version-string",
        "summary-number",
        "summary-surrogate",
        "no-summary",
        "no-items",
        "no-version",
        "unknown-field",
    ],
)
def test_bad_fields_are_422_by_name_and_nothing_is_written(app, client, world, body, field):
    error = error_of(put(client, world, body), 422)
    assert field in error["fields"], error
    assert writeup_row(app) is None


@pytest.mark.parametrize("which", ["members", "confidential", "second", "elsewhere"])
def test_only_open_items_of_this_meeting_can_go_in(app, client, world, which):
    """As the form: a members-only or confidential item, or another
    meeting's, is refused by name, without saying what it is."""
    body = {"summary": "", "items": [world["quote"], world[which]], "version": 0}
    error = error_of(put(client, world, body), 422)
    assert set(error["fields"]) == {"items"}
    assert MEMBERS_ONLY not in error["fields"]["items"] and CONFIDENTIAL not in str(error)
    assert writeup_row(app) is None


def test_a_published_write_up_is_not_changed_into_a_leak(app, client, world):
    """Once published, a new summary copying a confidential item is a 409
    with the findings, and the public text stays as it was."""
    draft = put(client, world, {"summary": "Fine.", "items": [], "version": 0}).get_json()
    call(client, "POST", world["facilitator_token"], {"version": draft["version"]})
    version = writeup_row(app).version  # publishing changed it
    body = {"summary": f"Said: {CONFIDENTIAL}", "items": [], "version": version}
    error = error_of(put(client, world, body), 409)
    assert any(finding["where"] == "summary" for finding in error["findings"])
    assert writeup_row(app).summary == "Fine."
    assert CONFIDENTIAL not in call(client, "GET").get_data(as_text=True)


def test_only_facilitators_write_the_draft(app, client, world):
    body = {"summary": "Mine.", "items": [], "version": 0}
    error_of(put(client, world, body, who=None), 401)
    error_of(put(client, world, body, who="perpetua"), 403)
    assert writeup_row(app) is None


def test_a_retried_put_with_its_key_is_not_a_conflict(app, client, world):
    """Without the key, sending the same PUT again is a 409 (its version is
    gone); with the key, the retry gets the first answer."""
    body = {"summary": "Once.", "items": [], "version": 0}
    first = put(client, world, body, key="draft-1")
    again = put(client, world, body, key="draft-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    error_of(put(client, world, body), 409)
