"""The review rounds in the JSON API: facilitators open, read, close and
answer; a reviewer's link is exchanged once for a session that reads
exactly their page and does what its forms do; refusals carry no notes;
publishing while a review is open needs confirming."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import AuditEvent, Reviewer
from tests.review.review_support import (
    CONFIDENTIAL_NAMING,
    DEADLINE,
    GUEST,
    GUEST_EMAIL,
    HAROLDS_SECRET,
    HIDDEN,
    OWN,
    REVIEW,
    open_by_api,
    outbox,
    token_for,
)


@pytest.mark.parametrize("who", [None, "member@example.org"])
def test_only_facilitators_reach_the_board(app, client, world, who):
    """No token: 401; a member: 403, before anything is looked up."""
    headers = token_for(app, who) if who else {}
    assert client.get(REVIEW, headers=headers).status_code == (403 if who else 401)
    answer = client.post(REVIEW, json={"deadline": DEADLINE}, headers=headers)
    assert answer.status_code == (403 if who else 401)


def test_open_read_close_through_the_api(app, client, world):
    """Opening emails the links after the commit; the state names who was asked."""
    links = open_by_api(app, client)
    assert set(links) == {GUEST_EMAIL, "harold@example.org"}
    facilitator = token_for(app, "facilitator@example.org")
    state = client.get(REVIEW, headers=facilitator).get_json()
    assert state["state"] == "in_review"
    assert sorted(state["waiting"]) == sorted([GUEST, HIDDEN])
    assert all(r["invited_at"] for r in state["reviewers"])
    again = client.post(REVIEW, json={"deadline": DEADLINE}, headers=facilitator)
    assert again.status_code == 409
    closed = client.post(REVIEW + "/close", headers=facilitator)
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"


def test_a_link_gives_one_session_that_reads_only_the_page(app, client, world):
    """The session reads the reviewer's items as the page does; the link is then used."""
    link = open_by_api(app, client)[GUEST_EMAIL]
    started = client.post("/api/v1/review/session", headers={"Review-Link": link})
    assert started.status_code == 201
    assert started.headers["Cache-Control"] == "no-store"
    session = {"Review-Session": started.get_json()["session"]}
    used = client.post("/api/v1/review/session", headers={"Review-Link": link})
    assert used.status_code == 410 and OWN not in used.get_data(as_text=True)
    assert client.get(f"/review/{link}").status_code == 410  # the browser's link too
    mine = client.get("/api/v1/review/me", headers=session)
    text = mine.get_data(as_text=True)
    assert mine.status_code == 200 and OWN in text
    assert HAROLDS_SECRET not in text and CONFIDENTIAL_NAMING not in text
    ids = {item["id"] for item in mine.get_json()["items"]}
    assert ids == {world["own"], world["own_naming"], world["naming_guest"]}
    for path in ("/api/v1/review/me", "/api/v1/series/cop/meetings/1"):
        refused = client.get(path, headers={"Review-Session": "nope"})
        assert OWN not in refused.get_data(as_text=True)


def test_a_session_asks_sets_consent_and_approves(app, client, world):
    """Each write goes through the page's services and is audited as the link."""
    link = open_by_api(app, client)[GUEST_EMAIL]
    secret = client.post("/api/v1/review/session", headers={"Review-Link": link}).get_json()
    session = {"Review-Session": secret["session"]}
    asked = client.post(
        "/api/v1/review/me/requests",
        json={"item": world["own"], "kind": "correction", "suggested": "PROPOSEDWORD here"},
        headers=session,
    )
    assert asked.status_code == 201, asked.get_json()
    other = client.post(
        "/api/v1/review/me/requests",
        json={"item": world["harolds"], "kind": "confidential"},
        headers=session,
    )
    assert other.status_code == 404
    consent = client.put(
        "/api/v1/review/me/consent",
        json={"audience": "public", "level": "anonymous", "scope": "meeting"},
        headers=session,
    )
    assert consent.status_code == 200, consent.get_json()
    approved = client.post("/api/v1/review/me/approve", headers=session)
    assert approved.status_code == 200
    with app.app_context():
        labels = set(
            db.session.scalars(
                sa.select(AuditEvent.actor_label).where(
                    AuditEvent.action.in_(["review.request", "review.approve"])
                )
            )
        )
    assert labels == {f"review link of person {world['gwen']}"}
    facilitator = token_for(app, "facilitator@example.org")
    request_id = asked.get_json()["id"]
    declined = client.post(
        f"{REVIEW}/requests/{request_id}", json={"answer": "decline"}, headers=facilitator
    )
    assert declined.status_code == 422  # a reason is needed
    accepted = client.post(
        f"{REVIEW}/requests/{request_id}", json={"answer": "accept"}, headers=facilitator
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    accepted.close()
    assert "accepted" in str(outbox(app)[-1]["Subject"])


def test_a_revoked_or_ended_review_gives_nothing(app, client, world):
    link = open_by_api(app, client)[GUEST_EMAIL]
    secret = client.post("/api/v1/review/session", headers={"Review-Link": link}).get_json()
    session = {"Review-Session": secret["session"]}
    with app.app_context():
        reviewer = db.session.scalar(sa.select(Reviewer).where(Reviewer.person_id == world["gwen"]))
        reviewer.revoked_at = reviewer.round.opened_at
        db.session.commit()
    refused = client.get("/api/v1/review/me", headers=session)
    assert refused.status_code == 403 and OWN not in refused.get_data(as_text=True)


def test_publishing_through_the_api_asks_while_a_review_is_open(app, client, world):
    """409 naming who has not answered; confirm_open_review goes on to the view."""
    open_by_api(app, client)
    facilitator = token_for(app, "facilitator@example.org")
    url = "/api/v1/series/cop/meetings/1/writeup"
    held = client.post(url, json={}, headers=facilitator)
    assert held.status_code == 409
    assert GUEST in held.get_json()["error"]["message"]
    member = client.post(url, json={}, headers=token_for(app, "member@example.org"))
    assert member.status_code == 403 and GUEST not in member.get_data(as_text=True)
    confirmed = client.post(url, json={"confirm_open_review": True}, headers=facilitator)
    assert confirmed.status_code == 404  # past the guard: there is no write-up to publish


def test_circulate_asks_while_a_review_is_open(app, client, world, monkeypatch):
    """The command names who has not answered and stops unless confirmed."""
    open_by_api(app, client)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["circulate", "cop", "1"], input="n\n")
    assert GUEST in result.output and HIDDEN in result.output
    assert result.exit_code != 0
