"""Every GET route changes nothing, and every form refuses a POST without its
CSRF token; both walk ``app.url_map`` with real ids from a seeded world, as an
admin, and compare every table's rows before and after.

Every answer to a logged-in member or an API token is ``no-store``, and no
page carries inline script, an event handler attribute or a style attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for

from notesbase.db import db
from notesbase.models import AuditEvent
from tests.conftest import build_app
from tests.security.security_support import (
    ADMIN_EMAIL,
    changed_tables,
    dispose,
    log_in,
    seed_world,
    table_rows,
)

CSRF_MESSAGE = "This form has expired or was not sent from this site."
CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Written on use and documented as access bookkeeping (notesbase/auth/tokens.py):
# the only column a read may change, and only through the API.
BOOKKEEPING = frozenset({"api_tokens.last_used_at"})
# A route argument whose name means something else on this endpoint.
ARGUMENT_FOR = {
    ("meetings.topic", "slug"): "topic_slug",
    ("review.link", "token"): "review_token",
    ("review.use_link", "token"): "review_token",
}
QUERY = {"search.page": {"q": "data"}, "search.suggest": {"q": "da"}, "api.search": {"q": "data"}}
# Form fields a careless handler might act on if the CSRF check were missing.
TEMPTING_FORM = {
    "display_name": "Changed",
    "email": "other@example.org",
    "role": "admin",
    "body": "Changed",
    "confirm": "y",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory, suite_postgres):
    app = build_app(tmp_path_factory.mktemp("walk"), suite_postgres, WTF_CSRF_ENABLED=True)
    seeded = seed_world(app)
    yield app, seeded
    dispose(app)


def url_of(app, rule, values) -> str:
    args = {name: values[ARGUMENT_FOR.get((rule.endpoint, name), name)] for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **args, **QUERY.get(rule.endpoint, {}))


def routes(app, *, api: bool, methods: set[str]):
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("api.") == api and rule.methods & methods
        ),
        key=lambda rule: rule.rule,
    )


class InlineCode(HTMLParser):
    """Collects inline <script> code, on* handlers and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        self.found += [f"<{tag} {name}=>" for name in names if name.startswith("on")]
        if "style" in names:
            self.found.append(f"<{tag} style=>")
        if tag == "style":
            self.found.append("<style> element")
        self._in_script = tag == "script"
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("code inside <script>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_no_get_route_changes_anything(world):
    """Every GET route, as an admin, answers without a server error, is
    no-store, carries no inline code or style, and leaves every table as it was."""
    app, seeded = world
    client = app.test_client()
    log_in(client, ADMIN_EMAIL)
    # The reviewer's session, so the review page is reached, not refused.
    reviewer = seeded.values["reviewer_id"]
    client.set_cookie(f"review_{reviewer}", seeded.values["review_session"], path="/review/")
    visited = []
    before = table_rows(app)
    for rule in routes(app, api=False, methods={"GET"}):
        url = url_of(app, rule, seeded.values)
        response = client.get(url)
        response.close()  # static files are streamed from an open file
        visited.append((url, response.status_code))
        assert response.status_code < 500, url
        assert response.headers.get("Cache-Control") == "no-store", url
        if response.mimetype == "text/html":
            assert inline_code(response.get_data(as_text=True)) == [], url
    assert changed_tables(before, table_rows(app)) == []
    # The walk reached the pages themselves, not a wall of refusals.
    assert len(visited) > 40
    refused = [(url, status) for url, status in visited if status >= 400]
    assert refused == []


def test_no_api_read_changes_anything(world):
    """Every GET route of the API, with an admin's token (and a reviewer's
    session, for the reviewer's routes), answers no-store and changes nothing
    but the token's last-use time."""
    app, seeded = world
    client = app.test_client()
    headers = {
        "Authorization": f"Bearer {seeded.api_token}",
        "Review-Session": seeded.values["review_session"],
    }
    before = table_rows(app, BOOKKEEPING)
    audited = _audit_actions(app)
    statuses = {}
    for rule in routes(app, api=True, methods={"GET"}):
        url = url_of(app, rule, seeded.values)
        response = client.get(url, headers=headers)
        statuses[url] = response.status_code
        assert response.headers.get("Cache-Control") == "no-store", url
    # Reading a subject access archive is the one read that is recorded:
    # the audit log says who took everything held about a person.
    added = _audit_actions(app)[len(audited) :]
    assert set(added) == {"person.subject_access"}
    assert changed_tables(before, table_rows(app, BOOKKEEPING)) in ([], ["audit_events"])
    assert len(statuses) >= 8
    # The admin is nobody in the notes: they have no archive of their own.
    refused = {url: status for url, status in statuses.items() if status >= 400}
    assert refused == {"/api/v1/me/subject-access": 404}


def test_every_form_refuses_a_post_without_csrf_token(world):
    """Every non-API route that accepts POST, PUT, PATCH or DELETE refuses a
    logged-in admin's request without a CSRF token (400) and changes nothing."""
    app, seeded = world
    assert app.config["WTF_CSRF_ENABLED"] is True
    client = app.test_client()
    log_in(client, ADMIN_EMAIL)
    before = table_rows(app)
    tried = []
    for rule in routes(app, api=False, methods=CHANGING_METHODS):
        url = url_of(app, rule, seeded.values)
        for method in sorted(rule.methods & CHANGING_METHODS):
            response = client.open(url, method=method, data=TEMPTING_FORM)
            tried.append((method, url))
            assert response.status_code == 400, (method, url)
            assert CSRF_MESSAGE in response.get_data(as_text=True), (method, url)
    assert changed_tables(before, table_rows(app)) == []
    assert len(tried) > 30
    assert client.get("/account").status_code == 200  # still logged in as the admin


def _audit_actions(app) -> list[str]:
    with app.app_context():
        query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
        return list(db.session.scalars(query))
