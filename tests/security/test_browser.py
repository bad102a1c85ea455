"""What the browser is told: a Content-Security-Policy that allows no inline
code (and templates that need none), login cookies that scripts cannot read,
that stay on this site and that travel only over HTTPS when the site is
served over HTTPS, and a remember-me that ends."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase import resource_dir
from notesbase.db import db
from notesbase.models import LoginSession
from tests.security.security_support import log_in

COOKIES = ("session", "remember_token")
INLINE_CODE = {
    "inline <script> code": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def test_content_security_policy_allows_no_inline_code(client):
    """Scripts and styles only from this site, never inline or eval'd; no
    plugins, no <base>, forms post only here, no framing."""
    response = client.get("/login")
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_holds_inline_code_or_style():
    """Inline scripts, handlers and style attributes would be blocked by the
    policy above: no template may rely on them (JS and CSS live in static/)."""
    templates = sorted(Path(resource_dir("templates")).rglob("*.html"))
    assert len(templates) > 30
    found = [
        (str(path.relative_to(resource_dir("templates"))), what)
        for path in templates
        for what, pattern in INLINE_CODE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def login_cookies(client, make_member, *, base_url="http://localhost", headers=None):
    """Log in with remember-me; the Set-Cookie headers of the login response by name."""
    make_member("member@example.org")
    response = log_in(
        client, "member@example.org", base_url=base_url, headers=headers, remember="y"
    )
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = {part.strip().lower() for part in header.split(";")[1:]}
    assert set(COOKIES) <= set(cookies)
    return cookies


# What a TLS-terminating proxy adds; the browser itself is on https://.
HTTPS_PROXY = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
    "Referer": "https://localhost/login",
}


@pytest.mark.parametrize(
    ("app_config", "base_url", "headers", "secure"),
    [
        ({}, "http://localhost", None, False),
        ({}, "https://localhost", None, True),
        ({"PROXY_FIX_HOPS": 1}, "http://localhost", HTTPS_PROXY, True),
        ({"PROXY_FIX_HOPS": 0}, "http://localhost", HTTPS_PROXY, False),
        (
            {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True},
            "http://localhost",
            None,
            True,
        ),
    ],
    ids=["plain-http", "https", "https-proxy", "untrusted-proxy-header", "forced-secure"],
)
def test_login_cookies_flags(client, make_member, app_config, base_url, headers, secure):
    """Session and remember cookies: HttpOnly and SameSite=Lax always; Secure
    over HTTPS, including behind a trusted proxy that says so, without
    SESSION_COOKIE_SECURE; an untrusted X-Forwarded-Proto changes nothing."""
    cookies = login_cookies(client, make_member, base_url=base_url, headers=headers)
    for name in COOKIES:
        assert "httponly" in cookies[name], name
        assert "samesite=lax" in cookies[name], name
        assert ("secure" in cookies[name]) is secure, name


def test_remember_me_ends(app, client, make_member):
    """The remember cookie and its login session last REMEMBER_COOKIE_DURATION,
    are not extended by use, and stop working once it has passed."""
    make_member("member@example.org")
    response = log_in(client, "member@example.org", remember="y")
    duration = app.config["REMEMBER_COOKIE_DURATION"]
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_"))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    assert abs(expires - (datetime.now(UTC) + duration)) < timedelta(minutes=1)
    with app.app_context():
        stored = db.session.scalar(sa.select(LoginSession.expires_at))
    assert abs(stored - (datetime.now(UTC) + duration)) < timedelta(minutes=1)

    remembered = app.test_client()
    remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    used = remembered.get("/account")
    assert used.status_code == 200
    assert not any(h.startswith("remember_") for h in used.headers.getlist("Set-Cookie"))

    with app.app_context():
        db.session.execute(
            sa.update(LoginSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
    later = app.test_client()
    later.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert later.get("/account").status_code == 302
