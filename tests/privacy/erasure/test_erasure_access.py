"""Who may erase, and what a wrong request does: admins only, on the page
(CSRF, confirmation), the API and the command line; bad input is a 4xx or a
non-zero exit, and nothing changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import Item, Member, Person
from tests.conftest import csrf_token_from
from tests.privacy.erasure.erasure_support import NAME, build_world


def _token(app, email):
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        _, token = tokens.create_token(member, "test", actor=None)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}


def _exists(app, person_id):
    with app.app_context():
        return db.session.get(Person, person_id) is not None


@pytest.mark.parametrize(
    ("email", "status"),
    [("member@example.org", 403), ("facilitator@example.org", 403), (None, 302)],
)
def test_only_admins_reach_the_page(app, client, auth, make_member, make_series, email, status):
    """Members and facilitators get 403, the public the login; nothing changes."""
    world = build_world(app, make_member, make_series)
    if email:
        auth.login(email)
    url = f"/people/{world.person}/erase"
    assert client.get(url).status_code == status
    assert client.post(url, data={"confirm": "y", "default": "remove"}).status_code in (
        status,
        400,
    )
    assert _exists(app, world.person)


def test_an_admin_erases_through_the_page(app, client, auth, make_member, make_series):
    """The form lists the items; without CSRF or the tick nothing changes;
    with both the result page shows the counts and the person is gone."""
    world = build_world(app, make_member, make_series)
    auth.login("admin@example.org")
    url = f"/people/{world.person}/erase"
    page = client.get(url)
    assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(url, data={"default": "remove", "confirm": "y"}).status_code == 400
    unticked = client.post(url, data={"csrf_token": token, "default": "remove"})
    assert unticked.status_code == 422 and _exists(app, world.person)
    typo = client.post(url, data={"csrf_token": token, "default": "remov", "confirm": "y"})
    assert typo.status_code == 422 and _exists(app, world.person)
    done = client.post(
        url,
        data={
            "csrf_token": token,
            "default": "anonymise",
            f"item-{world.items['zoe_removed']}": "remove",
            "confirm": "y",
        },
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200, text
    assert "is erased" in text and NAME not in text
    assert not _exists(app, world.person)
    with app.app_context():
        assert db.session.get(Item, world.items["zoe_removed"]) is None
        assert db.session.get(Item, world.items["zoe_kept"]) is not None
    assert client.get(url).status_code == 404


def test_the_api_previews_and_erases_for_admins_only(app, client, make_member, make_series):
    world = build_world(app, make_member, make_series)
    url = f"/api/v1/people/{world.person}/erasure"
    assert client.get(url).status_code == 401
    for email in ("member@example.org", "facilitator@example.org"):
        headers = _token(app, email)
        assert client.get(url, headers=headers).status_code == 403
        assert client.post(url, json={}, headers=headers).status_code == 403
    admin = _token(app, "admin@example.org")
    preview = client.get(url, headers=admin)
    assert preview.status_code == 200 and preview.json["dry_run"] is True
    ids = {i["id"] for i in preview.json["items"]}
    assert world.items["zoe_kept"] in ids and world.items["untouched"] not in ids
    for body in (
        {"default": "delete"},
        {"items": {str(world.items["untouched"]): "remove"}},
        {"items": {str(world.items["zoe_kept"]): "remvoe"}},
        {"items": {"x1": "remove"}},
        {"items": []},
        {"colour": "red"},
    ):
        refused = client.post(url, json=body, headers=admin)
        assert refused.status_code == 422, (body, refused.json)
        assert _exists(app, world.person)
    done = client.post(url, json={"default": "remove"}, headers=admin)
    assert done.status_code == 200, done.json
    assert done.json["removed"] >= 2 and not _exists(app, world.person)
    again = client.post(url, json={"default": "remove"}, headers=admin)
    assert again.status_code == 404 and "erased already" in again.json["error"]["message"]
    assert client.get("/api/v1/people/999999/erasure", headers=admin).status_code == 404


def test_the_command_asks_checks_and_erases(app, runner, make_member, make_series):
    world = build_world(app, make_member, make_series)
    missing = runner.invoke(args=["erase", "nobody@example.org", "--yes"])
    assert missing.exit_code != 0 and "erased already" in missing.output
    typo = runner.invoke(args=["erase", str(world.person), "--item", "12=gone", "--yes"])
    assert typo.exit_code != 0 and "Traceback" not in typo.output
    dry = runner.invoke(args=["erase", "ZOE.QUENNELL@vrestholm.example", "--dry-run"])
    assert dry.exit_code == 0 and "would be" in dry.output
    declined = runner.invoke(args=["erase", str(world.person)], input="n\n")
    assert declined.exit_code != 0 and _exists(app, world.person)
    done = runner.invoke(args=["erase", str(world.person), "--default", "remove", "--yes"])
    assert done.exit_code == 0, done.output
    assert not _exists(app, world.person)
    twice = runner.invoke(args=["erase", str(world.person), "--yes"])
    assert twice.exit_code != 0 and "erased already" in twice.output
