"""The privacy notice: a sensible default, an admin's text (sanitised: a
script never runs), each series' retention, the admin's form and the API,
and the link in the footer and in every review and circulation email."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.db import db
from notesbase.models import AuditEvent, Member, RetentionAction, Role, Series
from tests.conftest import post_form

SCRIPT = "Hello <script>alert('x')</script> and [link](javascript:alert(1)) **bold**"


def _events(app: Any) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "site.privacy_notice")
            )
        )


def test_default_notice_says_what_why_how_long_and_whom_to_ask(app, client, make_series):
    make_series("cop", "Community of Practice")
    with app.app_context():
        kept = Series(
            slug="kept",
            title="Kept Series",
            retention_months=18,
            retention_action=RetentionAction.ANONYMISE,
        )
        db.session.add(kept)
        db.session.commit()
    page = client.get("/privacy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("What we keep", "Consents", "The audit log", "Why", "For how long"):
        assert words in html
    assert "access and erasure" in html and "facilitators" in html
    assert "Community of Practice" in html and "until the network decides otherwise" in html
    assert "Kept Series" in html and "18 months" in html and "anonymise the speakers" in html


def test_contact_from_config(app, client):
    app.config["PRIVACY_CONTACT"] = "dpo@example.org"
    assert "dpo@example.org" in client.get("/privacy").get_data(as_text=True)


def test_footer_links_the_notice_on_every_page(client):
    for url in ("/", "/privacy", "/login"):
        html = client.get(url).get_data(as_text=True)
        assert 'href="/privacy"' in html, url


def test_admin_sets_the_text_sanitised_and_audited(app, client, login_as):
    login_as(Role.ADMIN)
    response = post_form(client, "/admin/privacy", {"text": SCRIPT})
    assert response.status_code == 302
    html = client.get("/privacy").get_data(as_text=True)
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    [event] = _events(app)
    assert event.details["default"] is False
    # Empty: the default comes back (and that is audited too).
    post_form(client, "/admin/privacy", {"text": "   "})
    assert "What we keep" in client.get("/privacy").get_data(as_text=True)
    assert len(_events(app)) == 2


def test_admin_form_refuses_too_long_and_needs_csrf(app, client, login_as):
    login_as(Role.ADMIN)
    response = post_form(client, "/admin/privacy", {"text": "x" * 20_001})
    assert response.status_code == 422 and "too long" in response.get_data(as_text=True)
    assert client.post("/admin/privacy", data={"text": "no token"}).status_code == 400
    assert _events(app) == []


def test_only_admins_edit(app, client, login_as):
    assert client.get("/admin/privacy").status_code == 302  # to the login page
    login_as(Role.FACILITATOR)
    assert client.get("/admin/privacy").status_code == 403
    assert client.post("/admin/privacy", data={"text": "x"}).status_code in (400, 403)
    assert _events(app) == []


def _bearer(app: Any, email: str) -> dict[str, str]:
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        _, secret = tokens.create_token(member, "t", actor=None)
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_reads_for_anyone_and_writes_for_admins(app, client, make_member):
    body = client.get("/api/v1/privacy").get_json()
    assert body["default"] is True and "What we keep" in body["text"]
    make_member("admin@example.org", role=Role.ADMIN)
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    refused = client.put(
        "/api/v1/privacy",
        json={"text": "x"},
        headers=_bearer(app, "facilitator@example.org"),
    )
    assert refused.status_code == 403
    assert client.put("/api/v1/privacy", json={"text": "x"}).status_code == 401
    admin = _bearer(app, "admin@example.org")
    saved = client.put("/api/v1/privacy", json={"text": SCRIPT}, headers=admin)
    assert saved.status_code == 200 and saved.get_json()["default"] is False
    assert "<script>" not in saved.get_json()["html"]
    bad = client.put("/api/v1/privacy", json={"text": 5}, headers=admin)
    assert bad.status_code == 422
    assert len(_events(app)) == 1
