"""Who may do what: the one place views ask before they act.

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

from notesbase.extensions import login_manager
from notesbase.models import Member, Role

F = TypeVar("F", bound=Callable[..., Any])


def current_member() -> Member | None:
    """The logged-in member, or None for the public."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


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
