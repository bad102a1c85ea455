"""Idempotency-Key on API writes: a write sent again with the same key gets
the first answer (marked replayed) and is not done again; the same key for
another request is a 422; keys are per member; garbage keys are a 400; a
refusal keeps nothing; keys expire after a day; two requests racing with
one key do the work once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from notesbase.api import idempotency
from notesbase.db import db
from notesbase.models import IdempotencyKey, Item, Member, Role, utcnow
from notesbase.notes import items
from tests.api.api_support import build_world, error_of
from tests.conftest import PASSWORD, post_form

ITEMS = "/api/v1/series/cop/meetings/1/items"
NOTE = {"kind": "point", "body": "Retried note"}


@pytest.fixture
def world(app, make_member, make_series):
    return build_world(app, make_member, make_series)


def write(client, world, method, url, body=None, *, key=None, who="facilitator", raw=None):
    headers = dict(world.headers(who))
    if key is not None:
        headers["Idempotency-Key"] = key
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None or raw is not None:
        kwargs["data"] = raw if raw is not None else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return client.open(url, method=method, **kwargs)


def count_items(app, body: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).where(Item.body == body))


def keys(app) -> list[tuple[int, str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(IdempotencyKey.member_id, IdempotencyKey.key, IdempotencyKey.status)
        ).all()
    return sorted(tuple(row) for row in rows)


def test_a_retried_create_is_done_once_and_answered_the_same(app, client, world):
    """The second POST with the key answers the first 201 (body, Location),
    marked replayed; one item exists."""
    first = write(client, world, "POST", ITEMS, NOTE, key="create-1")
    again = write(client, world, "POST", ITEMS, NOTE, key="create-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.mimetype == "application/json"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_items(app, NOTE["body"]) == 1
    # Spacing and the order of a JSON body's keys do not make another request.
    respaced = '{ "body" : "Retried note",\n "kind": "point" }'
    third = write(client, world, "POST", ITEMS, key="create-1", raw=respaced)
    assert third.get_json() == first.get_json() and count_items(app, NOTE["body"]) == 1
    # Without a key, each POST is a new item, as before.
    write(client, world, "POST", ITEMS, NOTE)
    assert count_items(app, NOTE["body"]) == 2


def test_a_retried_delete_answers_204_again_and_removes_nothing_else(app, client, world):
    """The retry of a DELETE that was done is its 204, not a 404 (nor, with
    ids reused, someone else's item)."""
    url = f"/api/v1/items/{world.ids['open']}"
    assert write(client, world, "DELETE", url, key="delete-open").status_code == 204
    again = write(client, world, "DELETE", url, key="delete-open")
    assert again.status_code == 204 and again.headers["Idempotent-Replayed"] == "true"
    error_of(write(client, world, "DELETE", url, key="another-key"), 404)


@pytest.mark.parametrize(
    ("method", "url", "second"),
    [
        ("POST", ITEMS, {"kind": "point", "body": "Something else"}),
        ("POST", "/api/v1/series/cop/meetings/2/items", NOTE),
        ("PATCH", "/api/v1/items/{open}", NOTE),
    ],
    ids=["body", "path", "method"],
)
def test_the_same_key_for_another_request_is_a_422(app, client, world, method, url, second):
    assert write(client, world, "POST", ITEMS, NOTE, key="k").status_code == 201
    url = url.format(open=world.ids["open"])
    error = error_of(write(client, world, method, url, second, key="k"), 422)
    assert "already used for a different request" in error["message"]
    assert count_items(app, "Something else") == 0
    with app.app_context():
        assert db.session.get(Item, world.ids["open"]).body == "Publish the data."


def test_keys_are_per_member(app, client, world, make_member):
    """Another facilitator's identical key is a different key: both are done."""
    other = make_member("second@example.org", role=Role.FACILITATOR)
    from notesbase.auth import tokens

    with app.app_context():
        _row, token = tokens.create_token(db.session.get(Member, other.id), actor=None)
        db.session.commit()
    world.tokens["second"] = token
    mine = write(client, world, "POST", ITEMS, NOTE, key="shared")
    theirs = write(client, world, "POST", ITEMS, NOTE, key="shared", who="second")
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers
    assert count_items(app, NOTE["body"]) == 2


@pytest.mark.parametrize(
    "key",
    ["", "a" * 256, "clé", "tab\there", "nul\x00", "del\x7f", "line\u2028sep", "ｋｅｙ"],
    ids=["empty", "too-long", "accent", "tab", "nul", "del", "line-separator", "fullwidth"],
)
def test_a_garbage_key_is_a_400_and_nothing_is_done(app, client, world, key):
    error = error_of(write(client, world, "POST", ITEMS, NOTE, key=key), 400)
    assert "Idempotency-Key" in error["message"]
    assert count_items(app, NOTE["body"]) == 0
    assert keys(app) == []


def test_the_longest_key_and_odd_printable_ones_are_keys(app, client, world):
    for key in ("a" * 255, '"quoted"', "x y", "~!@#$%^&*()"):
        first = write(client, world, "POST", ITEMS, {"kind": "point", "body": key}, key=key)
        again = write(client, world, "POST", ITEMS, {"kind": "point", "body": key}, key=key)
        assert first.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
        assert count_items(app, key) == 1


def test_a_refusal_keeps_nothing_so_the_key_can_be_sent_again(app, client, world, make_member):
    """Adding an account that does not exist yet is a 404 and keeps no key;
    once the account exists, the same request with the same key is done."""
    url = "/api/v1/series/cop/members"
    body = {"email": "late@example.org"}
    error_of(write(client, world, "POST", url, body, key="add-late"), 404)
    assert keys(app) == []
    make_member("late@example.org")
    response = write(client, world, "POST", url, body, key="add-late")
    assert response.status_code == 201 and response.get_json()["added"] is True
    assert [status for _m, _k, status in keys(app)] == [201]


def test_reads_and_the_public_keep_no_key(app, client, world):
    assert write(client, world, "GET", "/api/v1/series", key="read").status_code == 200
    error_of(write(client, world, "POST", ITEMS, NOTE, key="public", who="public"), 401)
    error_of(write(client, world, "POST", ITEMS, NOTE, key="member", who="member"), 403)
    assert keys(app) == []


def test_a_key_is_kept_a_day_then_pruned(app, client, world):
    """After KEEP_FOR the key is new again (the work is done again); prune
    deletes expired keys and leaves the others."""
    write(client, world, "POST", ITEMS, NOTE, key="old")
    write(client, world, "POST", ITEMS, {"kind": "point", "body": "Fresh"}, key="fresh")
    with app.app_context():
        old = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.key == "old"))
        old.created_at = utcnow() - idempotency.KEEP_FOR - timedelta(seconds=1)
        db.session.commit()
    again = write(client, world, "POST", ITEMS, NOTE, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count_items(app, NOTE["body"]) == 2
    with app.app_context():
        old = db.session.scalar(sa.select(IdempotencyKey).where(IdempotencyKey.key == "fresh"))
        old.created_at = utcnow() - idempotency.KEEP_FOR - timedelta(minutes=5)
        db.session.commit()
        assert idempotency.prune_expired(force=True) == 1
    assert [key for _m, key, _s in keys(app)] == ["old"]


def test_a_write_that_fails_after_the_claim_keeps_no_key(app, client, world, monkeypatch):
    """An unexpected fault after the key was claimed: a 500, and neither
    the work nor the key is kept; the retry with the key does the work."""

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a fault in the service")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    real = items.create_item
    monkeypatch.setattr(items, "create_item", broken)
    error_of(write(client, world, "POST", ITEMS, NOTE, key="fault"), 500)
    assert keys(app) == [] and count_items(app, NOTE["body"]) == 0
    monkeypatch.setattr(items, "create_item", real)
    assert write(client, world, "POST", ITEMS, NOTE, key="fault").status_code == 201
    assert count_items(app, NOTE["body"]) == 1


@pytest.mark.parametrize("app_config", [{"DATABASE_LOCK_TIMEOUT": 10, "SQLITE_BUSY_TIMEOUT": 10}])
def test_racing_requests_with_one_key_do_the_work_once(app, world, monkeypatch, app_config):
    """Six threads send the same POST with the same key at once to a live
    threaded server, the work slowed so they overlap: one item; every answer
    is that item's 201 (the first, or its replay)."""
    real = items.create_item

    def slow(*args: Any, **kwargs: Any) -> Any:
        item = real(*args, **kwargs)
        threading.Event().wait(0.3)
        return item

    monkeypatch.setattr(items, "create_item", slow)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    answers: list[tuple[int, dict[str, Any], str | None]] = []
    start = threading.Barrier(6)

    def send() -> None:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        headers = {**world.headers("facilitator"), "Idempotency-Key": "race"}
        headers["Content-Type"] = "application/json"
        start.wait()
        connection.request("POST", ITEMS, body=json.dumps(NOTE), headers=headers)
        response = connection.getresponse()
        body = json.loads(response.read())
        answers.append((response.status, body, response.getheader("Idempotent-Replayed")))
        connection.close()

    senders = [threading.Thread(target=send) for _ in range(6)]
    try:
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert len(answers) == 6
    assert count_items(app, NOTE["body"]) == 1
    assert {status for status, _b, _r in answers} == {201}, answers
    assert len({body["id"] for _s, body, _r in answers}) == 1
    assert sorted(replayed or "" for _s, _b, replayed in answers) == ["", *["true"] * 5]


def test_a_lowered_role_gets_no_replay_of_what_it_may_not_see(app, client, world):
    """A facilitator's change answered with the raw item; once they are a
    plain member, the same request with the same key is a 422, not the
    facilitators' view of the item."""
    url = f"/api/v1/items/{world.ids['confidential']}"
    change = {"section": "Aside again"}
    first = write(client, world, "PATCH", url, change, key="then")
    assert first.status_code == 200 and "PLANTEDCONFIDENTIAL" in first.get_data(as_text=True)
    with app.app_context():
        member = db.session.scalar(
            sa.select(Member).where(Member.email == "facilitator@example.org")
        )
        member.role = Role.MEMBER
        db.session.commit()
    again = write(client, world, "PATCH", url, change, key="then")
    assert "PLANTEDCONFIDENTIAL" not in again.get_data(as_text=True)
    assert "another role" in error_of(again, 422)["message"]


def test_a_purge_forgets_the_kept_answers_that_hold_the_item_text(app, client, world):
    """A change's kept answer holds the item's Markdown: purging the item's
    earlier versions forgets it, so no copy of a purged text is left (a
    retry then does the change again instead of replaying it)."""
    created = write(client, world, "POST", ITEMS, NOTE, key="make")
    item_id = created.get_json()["id"]
    url = f"/api/v1/items/{item_id}"
    secret = "Now with the PURGEDWORD in it"
    changed = write(client, world, "PATCH", url, {"body": secret}, key="change")
    assert changed.status_code == 200
    write(client, world, "PATCH", url, {"body": "Rewritten without it"}, key="rewrite")
    with app.app_context():
        kept = db.session.scalars(sa.select(IdempotencyKey.body)).all()
        assert any("PURGEDWORD" in body for body in kept)
        items.purge_history(db.session.get(Item, item_id), actor=None)
        db.session.commit()
        kept = db.session.scalars(sa.select(IdempotencyKey.body)).all()
    assert kept and not any("PURGEDWORD" in body for body in kept)
    # The create's answer (no text) is still replayed.
    assert write(client, world, "POST", ITEMS, NOTE, key="make").headers["Idempotent-Replayed"]


def test_any_write_prunes_expired_answers(app, client, world):
    """Kept answers past a day go with the next write of any kind (a page's
    form too), not only the next keyed API write."""
    write(client, world, "POST", ITEMS, NOTE, key="old")
    with app.app_context():
        db.session.execute(
            sa.update(IdempotencyKey).values(created_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    idempotency._pruned_at.clear()
    page = app.test_client()
    post_form(page, "/login", {"email": "member@example.org", "password": PASSWORD})
    assert keys(app) == []
