"""A review link shows its person their own items and nothing else: never
another person's items or withheld names, never a confidential item they did
not speak. Used, revoked or expired links and missing sessions get a clear
page (410 or 403) with no data of the notes. Every form needs its CSRF token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from notesbase.models import utcnow
from tests.review.review_support import (
    BOARD,
    CONFIDENTIAL_NAMING,
    GUEST,
    GUEST_EMAIL,
    HAROLDS_SECRET,
    HIDDEN,
    HIDDEN_EMAIL,
    HIDDEN_ORG,
    NAMING_GUEST,
    OLWENS,
    OWN,
    open_review,
    post,
    reviewer_id,
    use_link,
)

PLANTED = (HAROLDS_SECRET, CONFIDENTIAL_NAMING.split()[0], OLWENS.split()[0])


def _no_data(text: str) -> None:
    for secret in (*PLANTED, OWN, NAMING_GUEST, HIDDEN, HIDDEN_ORG, "First meeting"):
        assert secret not in text, secret


def _guest_page(app, client, world):
    links = open_review(app, client)
    guest = app.test_client()
    response = use_link(guest, links[GUEST_EMAIL])
    assert response.status_code == 302
    return links, guest, response.headers["Location"]


def test_the_page_shows_the_persons_own_items_and_no_one_elses(app, client, world):
    """Gwen sees her words and the item naming her; never Harold's name, his
    confidential item, the confidential item about her, or Olwen's item."""
    _links, guest, page = _guest_page(app, client, world)
    text = guest.get(page).get_data(as_text=True)
    assert OWN in text
    assert "the budget is short" in text  # her own words, with Harold scrubbed
    assert NAMING_GUEST.split(" offered")[0] in text or "offered to share the template" in text
    for secret in (*PLANTED, HIDDEN, HIDDEN_ORG, "Zimmerwald", "Harold"):
        assert secret not in text, secret


def test_the_link_page_itself_shows_no_data(app, client, world):
    links = open_review(app, client)
    text = app.test_client().get(links[GUEST_EMAIL]).get_data(as_text=True)
    _no_data(text)
    assert GUEST not in text


def test_a_used_link_in_another_browser_is_gone(app, client, world):
    """410 and no data; the browser that used it goes straight to its page."""
    links, guest, page = _guest_page(app, client, world)
    other = app.test_client()
    response = other.get(links[GUEST_EMAIL])
    assert response.status_code == 410
    _no_data(response.get_data(as_text=True))
    again = guest.get(links[GUEST_EMAIL])
    assert again.status_code == 302 and again.headers["Location"].endswith(page)


def test_a_page_without_the_session_is_refused(app, client, world):
    """Knowing the address is not enough: 403 and no data, for Gwen's page and a made-up one."""
    _links, _guest, page = _guest_page(app, client, world)
    for address in (page, "/review/page/999"):
        response = app.test_client().get(address)
        assert response.status_code == 403
        _no_data(response.get_data(as_text=True))
        assert GUEST not in response.get_data(as_text=True)


def test_one_persons_session_does_not_open_anothers_page(app, client, world):
    """Not by address, nor with her secret put in his cookie."""
    _links, guest, _page = _guest_page(app, client, world)
    gwen, harold = reviewer_id(app, world["gwen"]), reviewer_id(app, world["harold"])
    secret = guest.get_cookie(f"review_{gwen}", path="/review/").value
    for _ in range(2):
        response = guest.get(f"/review/page/{harold}")
        assert response.status_code == 403
        _no_data(response.get_data(as_text=True))
        guest.set_cookie(f"review_{harold}", secret, path="/review/")


def test_a_revoked_link_and_session_stop_at_once(app, client, world):
    links, guest, page = _guest_page(app, client, world)
    gwen = reviewer_id(app, world["gwen"])
    assert post(client, f"{BOARD}/reviewers/{gwen}/revoke").status_code == 302
    for response in (guest.get(page), app.test_client().get(links[GUEST_EMAIL])):
        assert response.status_code == 403
        assert "withdrew" in response.get_data(as_text=True)
        _no_data(response.get_data(as_text=True))


@pytest.mark.parametrize("how", ["deadline", "closed"])
def test_an_ended_review_gives_gone_and_no_data(app, client, world, how):
    links, guest, page = _guest_page(app, client, world)
    unused = links[HIDDEN_EMAIL]
    if how == "closed":
        assert post(client, BOARD + "/close").status_code == 302
        responses = [guest.get(page), app.test_client().get(unused)]
    else:
        with time_machine.travel(utcnow() + timedelta(days=30)):
            responses = [guest.get(page), app.test_client().get(unused)]
    for response in responses:
        assert response.status_code == 410
        assert "has ended" in response.get_data(as_text=True)
        _no_data(response.get_data(as_text=True))


def test_a_made_up_token_is_refused(app, client, world):
    open_review(app, client)
    for token in ("nope", "x" * 300):
        response = app.test_client().get(f"/review/{token}")
        assert response.status_code == 403


def test_requests_only_on_the_persons_own_items(app, client, world):
    """An item not hers (Olwen's), or confidential and not hers, is 404, and nothing is stored."""
    _links, guest, page = _guest_page(app, client, world)
    for item in ("olwens", "harolds", "confidential_naming"):
        response = post(
            guest, page + "/request", {"item": world[item], "kind": "confidential"}, page
        )
        assert response.status_code == 404
        for secret in (*PLANTED, HIDDEN, HIDDEN_ORG):
            assert secret not in response.get_data(as_text=True)
    bad = post(guest, page + "/request", {"item": world["naming_guest"], "kind": "remove"}, page)
    assert bad.status_code == 400  # not her words to remove


@pytest.mark.parametrize(
    "path,data",
    [
        ("/request", {"item": "1", "kind": "confidential"}),
        ("/approve", {}),
        ("/consent", {"audience": "public", "scope": "meeting", "level": "anonymous"}),
    ],
)
def test_reviewer_forms_need_their_csrf_token(app, client, world, path, data):
    _links, guest, page = _guest_page(app, client, world)
    response = guest.post(page + path, data=data)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/start",
        "/close",
        "/reviewers/1/revoke",
        "/reviewers/1/renew",
        "/requests/1/accept",
        "/requests/1/reject",
    ],
)
def test_board_forms_need_their_csrf_token(app, client, world, path):
    open_review(app, client)
    assert (
        client.post(BOARD + path, data={"deadline": "2030-01-01", "reason": "x"}).status_code == 400
    )


def test_the_link_button_needs_its_csrf_token(app, client, world):
    links = open_review(app, client)
    assert app.test_client().post(links[GUEST_EMAIL]).status_code == 400


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_facilitators_see_the_board(app, client, world, who):
    from tests.review.review_support import log_in

    if who == "member":
        log_in(client, "member@example.org")
        assert client.get(BOARD).status_code == 403
    else:
        assert client.get(BOARD).status_code in (302, 401, 404)
    assert client.get(BOARD).status_code != 200


def test_the_page_says_who_it_is_for(app, client, world):
    _links, guest, page = _guest_page(app, client, world)
    assert GUEST in guest.get(page).get_data(as_text=True)


def test_reviewer_answers_are_never_stored_nor_send_the_link_on(app, client, world):
    """The link page and the review page: no-store, no Referer (the secret is in the address)."""
    links, guest, page = _guest_page(app, client, world)
    for response in (guest.get(page), app.test_client().get(links[HIDDEN_EMAIL])):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_bad_input_gets_a_4xx_with_words_and_stores_nothing(app, client, world):
    import sqlalchemy as sa

    from notesbase.db import db
    from notesbase.models import ReviewRequest

    _links, guest, page = _guest_page(app, client, world)
    own = world["own"]
    for data, status in (
        ({"item": "abc", "kind": "confidential"}, 404),
        ({"item": own, "kind": "bogus"}, 400),
        ({"item": own, "kind": "correction", "suggested": "x" * 20_001}, 400),
        ({"item": own, "kind": "confidential", "comment": "x" * 2_001}, 400),
    ):
        response = post(guest, page + "/request", data, page)
        assert response.status_code == status, data
        assert "Traceback" not in response.get_data(as_text=True)
    for deadline in ("99999-01-01", "", "2026-02-30"):
        assert post(client, BOARD, {"deadline": deadline}).status_code == 400, deadline
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReviewRequest.id))) == 0
    assert post(client, f"{BOARD}/requests/999/accept").status_code == 404
    assert app.test_client().get("/review/page/99999999999999999999").status_code == 404
