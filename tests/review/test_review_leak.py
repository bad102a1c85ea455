"""The leak check treats a request, made in a review, to keep an item from
an audience as a finding in every channel that audience reads it through,
until the request is answered."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Meeting, ReviewRequest
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.review.leak import RULE
from tests.review.review_support import BOARD, GUEST_EMAIL, open_review, post, use_link

EMAIL = "circulation"


def _findings(app, channel: str = EMAIL) -> list[leakcheck.Finding]:
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        return [f for f in leakcheck.check(meeting, channel).findings if f.rule == RULE]


def _ask(app, client, world, kind: str) -> int:
    links = open_review(app, client)
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    post(guest, page + "/request", {"item": world["own"], "kind": kind}, page=page)
    with app.app_context():
        return db.session.scalar(sa.select(ReviewRequest.id))


def test_an_unanswered_request_to_make_an_item_confidential_is_a_finding(app, client, world):
    """Members would still read it: the email to members has a finding at that item."""
    request_id = _ask(app, client, world, "confidential")
    found = _findings(app)
    assert len(found) == 1
    assert found[0].where == "item 1" and found[0].item_id == world["own"]
    assert "nobody has answered yet" in found[0].why
    assert (
        post(client, f"{BOARD}/requests/{request_id}/reject", {"reason": "No."}).status_code == 302
    )
    assert _findings(app) == []


def test_a_members_only_request_is_no_finding_for_members(app, client, world):
    _ask(app, client, world, "members_only")
    assert _findings(app) == []


def test_an_accepted_request_leaves_no_finding(app, client, world):
    request_id = _ask(app, client, world, "remove")
    assert len(_findings(app)) == 1
    assert post(client, f"{BOARD}/requests/{request_id}/accept").status_code == 302
    assert _findings(app) == []


def test_the_finding_shows_on_the_leak_check_page(app, client, world):
    _ask(app, client, world, "confidential")
    page = client.get("/series/cop/meetings/1/leak-check").get_data(as_text=True)
    assert "nobody has answered yet" in page
