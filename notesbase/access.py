"""Who may see and do what: the one place pages, the API, search and every
later channel ask before they act.

- ``notes_audience``: who reads a series' notes, and as which audience;
  ``can_write_notes`` and ``can_set_consent``: who may change them;
- ``role_required`` and its three forms: the views' gate by role;
- ``member_page`` and ``login_offer``: the login a 404 offers.

Anonymous visitors asking for a protected page are sent to the login page;
logged-in members without the role get 403. Anything that should look like it
does not exist to this reader is a 404, decided by the caller. A page marked
``member_page`` asks a logged-out visitor to log in on its 404, whether or not
the page exists (``login_offer``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request, url_for
from flask_login import current_user

from notesbase.disclosure import Audience
from notesbase.extensions import login_manager
from notesbase.models import Member, Person, Role, Series

F = TypeVar("F", bound=Callable[..., Any])


def current_member() -> Member | None:
    """The logged-in member, or None for the public."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def notes_audience(member: Member | None, series: Series) -> Audience | None:
    """The audience ``member`` reads ``series``' notes as, or None when they
    may not read them at all (the public, members of other series)."""
    if member is None or not member.active:
        return None
    if member.is_facilitator:
        return Audience.FACILITATOR
    if any(s.id == series.id for s in member.series):
        return Audience.MEMBER
    return None


def can_write_notes(member: Member | None) -> bool:
    return member is not None and member.active and member.is_facilitator


def can_set_consent(member: Member | None, person: Person) -> bool:
    """Facilitators record consent for anyone; a member for the person they are."""
    if member is None or not member.active:
        return False
    if member.is_facilitator:
        return True
    return person.member_id is not None and person.member_id == member.id


def role_required(role: Role) -> Callable[[F], F]:
    """Only logged-in, active members holding ``role`` (or a stronger one)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            member = current_member()
            if member is None:
                return login_manager.unauthorized()
            if not member.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


login_required = role_required(Role.MEMBER)
facilitator_required = role_required(Role.FACILITATOR)
admin_required = role_required(Role.ADMIN)


def member_page(view: F) -> F:
    """Mark a page a logged-in member may be allowed to read though the public
    may not (a meeting's notes). Its 404 then offers a logged-out visitor the
    login, with the page as ``next``."""
    view.member_page = True  # type: ignore[attr-defined]
    return view


def login_offer() -> str | None:
    """The login address, with this page as ``next``, that this request's 404
    offers a logged-out visitor to a page marked ``member_page``; else None.

    Decided by the address alone, never by what is stored, so the 404 is the
    same whether the page exists or not. ``next`` is the page rebuilt from its
    route (a path on this site) and its query; the login view checks it again."""
    rule = request.url_rule
    if rule is None or request.method not in ("GET", "HEAD") or current_member() is not None:
        return None
    view = current_app.view_functions.get(rule.endpoint)
    if not getattr(view, "member_page", False):
        return None
    here = url_for(rule.endpoint, **(request.view_args or {}))
    query = request.query_string.decode("utf-8", "replace")
    return url_for("auth.login", next=f"{here}?{query}" if query else here)
