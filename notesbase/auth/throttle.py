"""Rate limits with Flask-Limiter: logins, invitations and searches.

Two limits guard ``POST /login``, both checked before the view runs (so a
throttled attempt never reaches the password check):
- ``LOGIN_RATE_LIMIT_PER_ADDRESS``: every attempt from one client address;
- ``LOGIN_FAILURE_LIMIT_PER_EMAIL``: only failed attempts (the view answers
  401) for one normalised email, whichever address they come from.
The email is kept in the limiter's storage only as a hash.

Invitations made per admin (``INVITE_RATE_LIMIT``), uses of invitation links
per address (``INVITE_ACCEPT_RATE_LIMIT``) and searches per address
(``SEARCH_RATE_LIMIT``, ``SEARCH_SUGGEST_RATE_LIMIT``) are limited too, each
answered here: 429, ``Retry-After``, and a message saying what was limited.

Counts live in ``RATELIMIT_STORAGE_URI``: per process with ``memory://``
(each gunicorn worker counts alone, so N workers allow up to N times a
limit), shared by every worker and host with ``redis://``."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, render_template, request
from flask.wrappers import Response
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from notesbase.api_support.errors import error_response
from notesbase.auth.service import normalise_email
from notesbase.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

FAILED_LOGIN_STATUS = 401


def per_address_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"])


def per_email_limit() -> str:
    return str(current_app.config["LOGIN_FAILURE_LIMIT_PER_EMAIL"])


def email_key() -> str:
    email = normalise_email(request.form.get("email", ""))
    return "login-email:" + hashlib.sha256(email.encode("utf-8")).hexdigest()


def login_failed(response: Response) -> bool:
    return response.status_code == FAILED_LOGIN_STATUS


limit_per_address = limiter.limit(per_address_limit, methods=["POST"], scope="login-address")
limit_failures_per_email = limiter.limit(
    per_email_limit,
    key_func=email_key,
    methods=["POST"],
    deduct_when=login_failed,
    scope="login-email",
)


def seconds_until_retry() -> int:
    """Seconds until the breached limit of this request resets (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def wait_phrase(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"


def member_key() -> str:
    """The logged-in member (an admin making invitations), else the address."""
    from notesbase.access import current_member

    member = current_member()
    return f"member:{member.id}" if member is not None else get_remote_address()


def configured_limit(
    setting: str,
    scope: str,
    message: str,
    *,
    methods: list[str] | None = None,
    key_func: Callable[[], str] = get_remote_address,
    as_json: bool = False,
) -> Callable[[F], F]:
    """Limit a view to the rate named by config ``setting`` (read at each
    request), counted per ``key_func`` under ``scope``. A refused request gets
    429 with ``message`` ("{wait}" becomes the time to wait), as JSON in the
    API's error shape when ``as_json``; Flask-Limiter adds ``Retry-After``."""

    def decorator(view: F) -> F:
        checked = limiter.limit(
            lambda: str(current_app.config[setting]),
            scope=scope,
            methods=methods,
            key_func=key_func,
        )(view)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return checked(*args, **kwargs)
            except RateLimitExceeded:
                return _refused(message.format(wait=wait_phrase(seconds_until_retry())), as_json)

        return wrapped  # type: ignore[return-value]

    return decorator


def _refused(message: str, as_json: bool) -> Any:
    if as_json:
        return error_response(429, message)
    return render_template("errors.html", code=429, message=message), 429


limit_invites = configured_limit(
    "INVITE_RATE_LIMIT",
    "invite-create",
    "You have made many invitations in a short time. Please wait {wait} before making more.",
    methods=["POST"],
    key_func=member_key,
)
limit_invite_links = configured_limit(
    "INVITE_ACCEPT_RATE_LIMIT",
    "invite-accept",
    "Too many uses of invitation links from here. Please try again in {wait}.",
)
limit_searches = configured_limit(
    "SEARCH_RATE_LIMIT", "search-page", "Too many searches. Please search again in {wait}."
)
limit_suggestions = configured_limit(
    "SEARCH_SUGGEST_RATE_LIMIT",
    "search-suggest",
    "Too many suggestions asked for. Please wait {wait}.",
    as_json=True,
)
limit_api_searches = configured_limit(
    "SEARCH_RATE_LIMIT",
    "search-api",
    "Too many searches. Please search again in {wait}.",
    as_json=True,
)
