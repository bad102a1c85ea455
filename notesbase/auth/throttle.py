"""Login throttling with Flask-Limiter.

Two limits guard ``POST /login``, both checked before the view runs (so a
throttled attempt never reaches the password check):
- ``LOGIN_RATE_LIMIT_PER_ADDRESS``: every attempt from one client address;
- ``LOGIN_FAILURE_LIMIT_PER_EMAIL``: only failed attempts (the view answers
  401) for one normalised email, whichever address they come from.
The email is kept in the limiter's storage only as a hash."""

from __future__ import annotations

import hashlib
import time

from flask import current_app, request
from flask.wrappers import Response

from notesbase.auth.service import normalise_email
from notesbase.extensions import limiter

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
