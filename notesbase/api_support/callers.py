"""Who is calling: the member an API token acts as (``notesbase.api``'s
hooks resolve the token once per request and remember the member here),
None for the public; and the refusals for a caller who may not."""

from __future__ import annotations

from flask import g

from notesbase.api_support.errors import ApiError
from notesbase.models import Member


def remember_caller(member: Member | None) -> None:
    """The member this request's token acts as (None: the public)."""
    g.api_member = member


def caller() -> Member | None:
    """The member the token acts as, None for the public."""
    return getattr(g, "api_member", None)


def require_member() -> Member:
    member = caller()
    if member is None:
        raise ApiError(401)
    return member


def require_facilitator() -> Member:
    """Facilitators and admins; other members are refused (403)."""
    member = require_member()
    if not member.is_facilitator:
        raise ApiError(403, "Only facilitators and admins may do that.")
    return member
