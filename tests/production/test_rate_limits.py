"""Invitations and searches are rate limited, each by its own setting; with a
``redis://`` store the count is shared between processes, and a store that
goes down leaves each process counting alone (logged) instead of failing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase import create_app
from notesbase.auth.invites import create_invite
from notesbase.db import db
from notesbase.models import Base, Invite, Member, Role
from tests.conftest import make_test_config, post_form
from tests.production.production_support import build_world, fetch, serving
from tests.support.loopback_support import free_port

LIMIT = "2 per minute"


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Every limit of this area set low."""
    names = ["SEARCH", "SEARCH_SUGGEST", "INVITE", "INVITE_ACCEPT"]
    return {f"{name}_RATE_LIMIT": LIMIT for name in names}


def from_address(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_refused(response: Any, message: str, *, as_json: bool) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    if as_json:
        error = response.get_json()["error"]
        assert error["status"] == 429 and message in error["message"]
    else:
        assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "as_json"),
    [("/search?q=budget", False), ("/search/suggest?q=bu", True), ("/api/v1/search?q=b", True)],
)
def test_searches_are_limited_per_address(client, path, as_json):
    """The search page, its suggestions and the API search each allow
    SEARCH_*_RATE_LIMIT per address; another address is not held back."""
    for _ in range(2):
        assert client.get(path, **from_address("192.0.2.1")).status_code == 200
    refused = client.get(path, **from_address("192.0.2.1"))
    assert_refused(refused, "Too many", as_json=as_json)
    assert client.get(path, **from_address("192.0.2.2")).status_code == 200


def test_the_page_and_the_api_count_apart(client):
    """Searching on the page does not use up the API's allowance."""
    for _ in range(3):
        client.get("/search?q=budget")
    assert client.get("/api/v1/search?q=budget").status_code == 200


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_invitations_by_one_admin_are_limited(app, client, login_as):
    """INVITE_RATE_LIMIT invitations per admin; the one refused is not made."""
    login_as(Role.ADMIN)
    for n in range(2):
        response = post_form(client, "/admin/invites", {"email": f"new{n}@example.org"})
        assert response.status_code == 200, response.get_data(as_text=True)
    refused = post_form(client, "/admin/invites", {"email": "new9@example.org"})
    assert_refused(refused, "many invitations", as_json=False)
    assert count(app, Invite) == 2
    assert client.get("/admin/invites").status_code == 200  # looking is not limited


def test_invitation_links_are_limited_per_address(app, client):
    """INVITE_ACCEPT_RATE_LIMIT uses of invitation links per address: guessing
    stops, and a real link from that address waits too (no account made)."""
    with app.app_context():
        _invite, token, _ = create_invite(email="new@example.org", role=Role.MEMBER)
        db.session.commit()
    for guess in ("guess-one", "guess-two"):
        assert client.get(f"/invite/{guess}").status_code == 404
    refused = post_form(
        client,
        f"/invite/{token}",
        {"display_name": "New", "new_password": "a long new password", "confirm": "x"},
        page="/login",
    )
    assert_refused(refused, "invitation links", as_json=False)
    assert "login attempts" not in refused.get_data(as_text=True)
    assert count(app, Member) == 0
    assert app.test_client().get(f"/invite/{token}", **from_address("192.0.2.9")).status_code == 200


@pytest.fixture
def own_app(tmp_path: Path):
    """Build an app of the test's own; the limiter's state is reset after."""
    made = []

    def make(**settings: Any) -> Any:
        url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        app = create_app(make_test_config(tmp_path, url, **settings))
        with app.app_context():
            Base.metadata.create_all(db.engine)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_a_store_that_is_down_leaves_each_process_counting(own_app, caplog):
    """RATELIMIT_STORAGE_URI names a Redis that does not answer: requests are
    served, not failed; the limit still holds in this process; a warning says so."""
    down = f"redis://127.0.0.1:{free_port()}/0"
    app = own_app(RATELIMIT_STORAGE_URI=down, SEARCH_RATE_LIMIT=LIMIT)
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    statuses = [client.get("/api/v1/search?q=budget").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "Rate limit storage unreachable" in caplog.text


def test_limits_are_shared_between_processes_through_redis(tmp_path, redis_storage):
    """With RATELIMIT_STORAGE_URI=redis://, a live server and this process
    together get the limit once (with memory:// each would get it whole)."""
    url, prefix = redis_storage
    settings = {
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "SEARCH_RATE_LIMIT": "3 per minute",
    }
    world = build_world(tmp_path, f"sqlite:///{tmp_path / 'instance' / 'notesbase.sqlite3'}")
    here = create_app(make_test_config(tmp_path, world.database_url, **settings))
    local = here.test_client()
    path = "/api/v1/search?q=budget"
    with serving(world, tmp_path / "server.log", workers=1, **settings) as server:
        statuses = []
        for _ in range(3):
            statuses.append(local.get(path, **from_address("127.0.0.1")).status_code)
            statuses.append(fetch(server.port, "GET", path).status)
    with here.app_context():
        db.engine.dispose()
    assert sorted(statuses) == [200, 200, 200, 429, 429, 429], statuses
    assert statuses[-1] == 429
