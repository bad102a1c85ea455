"""Who is calling the API: the member behind an ``Authorization: Bearer``
token, or the public when there is no header (``api_support.callers``
answers who, for the API and the features' JSON routes). Cookies are never read here, so
a logged-in browser gets nothing from the API that the public does not, and
there is nothing for a cross-site request to ride on."""

from __future__ import annotations

from flask import Response, request

from notesbase.api.blueprint import bp
from notesbase.api_support.callers import caller, remember_caller
from notesbase.api_support.errors import ApiError
from notesbase.auth import tokens
from notesbase.db import db, forget_writes

BEARER = "bearer"


def bearer_token() -> str | None:
    """The token sent, None without an Authorization header; 401 for any
    other kind of credentials."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        raise ApiError(401, "Send the token as 'Authorization: Bearer <token>'.")
    return token


@bp.before_request
def identify_caller() -> None:
    """Resolve the token once per request; an unusable token is a 401."""
    remember_caller(None)
    token = bearer_token()
    if token is None:
        return
    member = tokens.resolve(token)
    if member is None:
        db.session.rollback()
        raise ApiError(401, "This API token is not valid: it may have been revoked.")
    db.session.commit()  # the token's last use, kept even if the request then fails
    forget_writes()  # bookkeeping, not the caller's change
    remember_caller(member)


@bp.after_request
def private_responses(response: Response) -> Response:
    """An answer to a token may hold what the public must not see: never cache it."""
    response.headers.add("Vary", "Authorization")
    if caller() is not None:
        response.headers["Cache-Control"] = "no-store"
    return response
