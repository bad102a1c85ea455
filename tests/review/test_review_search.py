"""What a reviewer proposes is never indexed: a word typed only in a
proposed correction or a request's comment is found by nobody, until a
facilitator accepts the correction and it becomes the item's text."""

from __future__ import annotations

from tests.review.review_support import GUEST_EMAIL, REVIEW, open_by_api, token_for

WORD = "Quuxabliferous"
ASKED = "Zorbulated"


def totals(app, client, word: str) -> dict[str, int]:
    found = {}
    for who in (None, "member@example.org", "facilitator@example.org"):
        headers = token_for(app, who) if who else {}
        answer = client.get("/api/v1/search", query_string={"q": word}, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        found[who or "public"] = answer.get_json()["total"]
    return found


def test_proposals_are_not_indexed_until_accepted(app, client, world):
    link = open_by_api(app, client)[GUEST_EMAIL]
    secret = client.post("/api/v1/review/session", headers={"Review-Link": link}).get_json()
    session = {"Review-Session": secret["session"]}
    asked = client.post(
        "/api/v1/review/me/requests",
        json={"item": world["own"], "kind": "correction", "suggested": f"We should {WORD}."},
        headers=session,
    )
    assert asked.status_code == 201
    restrict = client.post(
        "/api/v1/review/me/requests",
        json={"item": world["own_naming"], "kind": "members_only", "comment": ASKED},
        headers=session,
    )
    assert restrict.status_code == 201
    for word in (WORD, ASKED):
        assert set(totals(app, client, word).values()) == {0}
    accepted = client.post(
        f"{REVIEW}/requests/{asked.get_json()['id']}",
        json={"answer": "accept"},
        headers=token_for(app, "facilitator@example.org"),
    )
    assert accepted.status_code == 200
    after = totals(app, client, WORD)
    assert after["facilitator@example.org"] == 1 and after["member@example.org"] == 1
    assert totals(app, client, ASKED)["facilitator@example.org"] == 0
