"""Who may do what: the one place views ask before they act.

Anonymous visitors asking for a protected page are sent to the login page;
logged-in members without the role get 403. Anything that should look like it
does not exist to this reader is a 404, decided by the caller."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
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
