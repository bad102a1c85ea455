"""Review rounds from the board: draft → in review → agreed or closed →
circulated; invitations to everyone recorded who has an email; requests
answered through the notes' services, audited, and the speaker told."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import AuditEvent, ReviewRequest, ReviewRound
from notesbase.review.service import state_of
from tests.review.review_support import (
    BOARD,
    DEADLINE,
    GUEST,
    GUEST_EMAIL,
    HIDDEN,
    HIDDEN_EMAIL,
    NO_EMAIL,
    OWN,
    item_row,
    log_in,
    open_review,
    outbox,
    post,
    reviewer_id,
    use_link,
    whole_text,
)


def _state(app) -> str:
    with app.app_context():
        review = db.session.scalar(sa.select(ReviewRound).order_by(ReviewRound.id.desc()))
        return state_of(review)


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_board_prepares_a_draft_naming_who_will_be_asked(app, client, world):
    """A draft lists everyone the notes credit or name, and who has no email."""
    log_in(client)
    assert post(client, BOARD, {"deadline": DEADLINE}).status_code == 302
    assert _state(app) == "draft"
    page = client.get(BOARD).get_data(as_text=True)
    assert GUEST in page and HIDDEN in page
    assert f"{NO_EMAIL} — no email: not asked" in page
    assert outbox(app) == []


def test_starting_sends_one_private_link_to_each_person_with_an_email(app, client, world):
    """In review: Gwen and Harold get a link each (plain text and HTML); Olwen none."""
    links = open_review(app, client)
    assert set(links) == {GUEST_EMAIL, HIDDEN_EMAIL}
    assert links[GUEST_EMAIL] != links[HIDDEN_EMAIL]
    assert _state(app) == "in_review"
    for message in outbox(app):
        types = {part.get_content_type() for part in message.walk()}
        assert {"text/plain", "text/html"} <= types
    with app.app_context():
        hashes = list(db.session.scalars(sa.text("SELECT token_hash FROM reviewers")))
    assert all(links[e].rsplit("/", 1)[1] not in hashes for e in links)
    assert [a for a in _actions(app) if a.startswith("review")] == ["review.create", "review.start"]


def test_a_deadline_in_the_past_or_not_a_date_is_refused(app, client, world):
    """Bad input gets a 400 with words, and no round."""
    log_in(client)
    for deadline in ("2001-01-01", "2999-01-01", "soon"):
        response = post(client, BOARD, {"deadline": deadline})
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReviewRound.id))) == 0


def test_a_second_review_cannot_open_while_one_is_in_progress(app, client, world):
    open_review(app, client)
    response = post(client, BOARD, {"deadline": DEADLINE})
    assert response.status_code == 409
    assert "already has a review in progress" in response.get_data(as_text=True)


def test_everyone_approving_makes_the_record_agreed(app, client, world):
    """Agreed only once the last person asked has approved."""
    links = open_review(app, client)
    for n, email in enumerate((GUEST_EMAIL, HIDDEN_EMAIL)):
        guest = app.test_client()
        page = use_link(guest, links[email])
        assert page.status_code == 302
        approve = page.headers["Location"] + "/approve"
        assert post(guest, approve, page=page.headers["Location"]).status_code == 302
        assert _state(app) == ("in_review" if n == 0 else "agreed")


def test_closing_the_review_ends_it(app, client, world):
    open_review(app, client)
    assert post(client, BOARD + "/close").status_code == 302
    assert _state(app) == "closed"
    assert post(client, BOARD + "/close").status_code == 409


def test_circulating_after_the_review_opened_makes_it_circulated(app, client, world):
    """The notes going out by email is the last state."""
    from notesbase.models import Circulation, utcnow

    open_review(app, client)
    with app.app_context():
        db.session.add(
            Circulation(meeting_id=world["meeting"], subject="Notes", started_at=utcnow())
        )
        db.session.commit()
    assert _state(app) == "circulated"


def _request(app, links, world, kind, item, **data):
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    response = post(
        guest, page + "/request", {"item": world[item], "kind": kind, **data}, page=page
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return guest, page


def test_an_accepted_correction_is_a_new_item_version_and_the_speaker_is_told(app, client, world):
    links = open_review(app, client)
    _request(app, links, world, "correction", "own", suggested="We must publish the registers.")
    board = client.get(BOARD).get_data(as_text=True)
    assert "<del>should</del>" in board and "<ins>must</ins>" in board
    with app.app_context():
        request_id = db.session.scalar(sa.select(ReviewRequest.id))
    before = len(outbox(app))
    assert post(client, f"{BOARD}/requests/{request_id}/accept").status_code == 302
    item = item_row(app, world["own"])
    assert item is not None and item.body == "We must publish the registers." and item.version == 2
    told = outbox(app)[before:]
    assert len(told) == 1 and told[0]["To"].addresses[0].addr_spec == GUEST_EMAIL
    assert "accepted" in whole_text(told[0])
    assert {"item.update", "review.request", "review.accept"} <= set(_actions(app))
    assert post(client, f"{BOARD}/requests/{request_id}/accept").status_code == 409


def test_a_correction_against_a_changed_item_is_marked_stale(app, client, world):
    from notesbase.models import Item
    from notesbase.notes import items

    links = open_review(app, client)
    _request(app, links, world, "correction", "own", suggested="Something else.")
    with app.app_context():
        item = db.session.get(Item, world["own"])
        fields = items.ItemFields(item.kind, OWN + " Edited.", speaker_id=item.speaker_id)
        items.update_item(item, fields, actor=None)
        db.session.commit()
    assert "has changed since" in client.get(BOARD).get_data(as_text=True)


def test_rejecting_needs_a_reason_and_tells_the_speaker(app, client, world):
    links = open_review(app, client)
    _request(app, links, world, "members_only", "own", comment="Please")
    with app.app_context():
        request_id = db.session.scalar(sa.select(ReviewRequest.id))
    assert post(client, f"{BOARD}/requests/{request_id}/reject", {"reason": ""}).status_code == 400
    before = len(outbox(app))
    response = post(client, f"{BOARD}/requests/{request_id}/reject", {"reason": "It is fine."})
    assert response.status_code == 302
    assert "It is fine." in whole_text(outbox(app)[before])
    assert item_row(app, world["own"]).confidentiality is Confidentiality.OPEN


def test_accepted_requests_restrict_or_remove_the_item(app, client, world):
    """Members-only and confidential change the item; removal deletes it and
    the answered request stays on the board."""
    links = open_review(app, client)
    guest, page = _request(app, links, world, "members_only", "own")
    post(guest, page + "/request", {"item": world["own_naming"], "kind": "remove"}, page=page)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(ReviewRequest.id).order_by(ReviewRequest.id)))
    for request_id in ids:
        assert post(client, f"{BOARD}/requests/{request_id}/accept").status_code == 302
    assert item_row(app, world["own"]).confidentiality is Confidentiality.MEMBERS
    assert item_row(app, world["own_naming"]) is None
    assert "(item deleted)" in client.get(BOARD).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReviewRequest.id))) == 2


def test_a_revoked_reviewer_is_not_waited_for(app, client, world):
    open_review(app, client)
    harold = reviewer_id(app, world["harold"])
    assert post(client, f"{BOARD}/reviewers/{harold}/revoke").status_code == 302
    assert "Revoked" in client.get(BOARD).get_data(as_text=True)
    assert "review.revoke" in _actions(app)


def test_a_new_link_replaces_the_old_one(app, client, world):
    links = open_review(app, client)
    gwen = reviewer_id(app, world["gwen"])
    before = len(outbox(app))
    assert post(client, f"{BOARD}/reviewers/{gwen}/renew").status_code == 302
    assert len(outbox(app)) == before + 1
    assert app.test_client().get(links[GUEST_EMAIL]).status_code == 403


def test_circulate_and_publish_confirmations_name_who_has_not_answered(app, client, world):
    """The confirm pages say a review is open, who has not answered, and ask to tick a box."""
    from notesbase.models import Writeup

    open_review(app, client)
    with app.app_context():
        db.session.add(Writeup(meeting_id=world["meeting"], summary="A summary."))
        db.session.commit()
    for page in (
        "/series/cop/meetings/1/circulate/confirm",
        "/series/cop/meetings/1/writeup/preview",
    ):
        text = client.get(page).get_data(as_text=True)
        assert f"Not answered yet: {GUEST}, {HIDDEN}." in text, page
        assert 'name="review_confirmed" value="yes" required' in text, page
    assert post(client, BOARD + "/close").status_code == 302
    text = client.get("/series/cop/meetings/1/circulate/confirm").get_data(as_text=True)
    assert "review_confirmed" not in text


def test_circulating_while_a_review_is_open_needs_the_box_ticked(app, client, world):
    """Without it, back to the confirmation and nothing sent; with it, sent."""
    import re

    from tests.conftest import csrf_token_from

    open_review(app, client)
    confirm = "/series/cop/meetings/1/circulate/confirm"
    html = client.get(confirm).get_data(as_text=True)
    form = {
        "csrf_token": csrf_token_from(html),
        "fingerprint": re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html)[1],
        "confirm": "",
    }
    sent = len(outbox(app))
    response = client.post("/series/cop/meetings/1/circulate", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(confirm)
    assert len(outbox(app)) == sent
    assert "tick the box" in client.get(confirm).get_data(as_text=True)
    response = client.post(
        "/series/cop/meetings/1/circulate", data={**form, "review_confirmed": "yes"}
    )
    assert response.status_code == 302 and len(outbox(app)) == sent + 1
    assert _state(app) == "circulated"


def test_publishing_while_a_review_is_open_needs_the_box_ticked(app, client, world):
    from notesbase.models import Writeup

    open_review(app, client)
    with app.app_context():
        db.session.add(Writeup(meeting_id=world["meeting"], summary="A summary."))
        db.session.commit()
    preview = "/series/cop/meetings/1/writeup/preview"
    response = post(client, "/series/cop/meetings/1/writeup/publish", page=preview)
    assert response.status_code == 302 and response.headers["Location"].endswith(preview)
    with app.app_context():
        assert db.session.scalar(sa.select(Writeup.published_at)) is None


def test_the_box_is_not_asked_of_those_who_may_not_circulate(app, client, world):
    """A member's post is refused as ever (404), saying nothing of the review."""
    open_review(app, client)
    member = app.test_client()
    log_in(member, "member@example.org")
    response = post(member, "/series/cop/meetings/1/circulate", page="/")
    assert response.status_code == 404


def test_revoking_the_last_holdout_makes_the_record_agreed(app, client, world):
    links = open_review(app, client)
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    assert post(guest, page + "/approve", page=page).status_code == 302
    assert _state(app) == "in_review"
    harold = reviewer_id(app, world["harold"])
    assert post(client, f"{BOARD}/reviewers/{harold}/revoke").status_code == 302
    assert _state(app) == "agreed"
