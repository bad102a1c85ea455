"""Admin services: members' roles, series and activity. They flush; views commit.

An admin cannot lock themselves out: they may neither deactivate their own
account nor take away their own admin role."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from notesbase import audit
from notesbase.auth import service as accounts
from notesbase.auth.service import AccountError
from notesbase.db import db
from notesbase.models import Invite, Member, Role, Series


def all_series() -> list[Series]:
    return list(db.session.scalars(sa.select(Series).order_by(Series.title, Series.id)))


def list_members() -> list[Member]:
    return list(
        db.session.scalars(
            sa.select(Member)
            .options(selectinload(Member.series))
            .order_by(Member.active.desc(), Member.display_name, Member.email)
        )
    )


def list_invites() -> list[Invite]:
    return list(
        db.session.scalars(
            sa.select(Invite)
            .options(selectinload(Invite.series), selectinload(Invite.created_by))
            .order_by(Invite.created_at.desc(), Invite.id.desc())
        )
    )


def update_member(
    actor: Member, member: Member, *, role: Role | str, series: Iterable[Series]
) -> None:
    """Set ``member``'s role and the series they belong to."""
    new_role = accounts.check_role(role)
    if member.id == actor.id and new_role.rank < Role.ADMIN.rank:
        raise AccountError(
            "role", "You cannot take away your own admin role; ask another admin to do it."
        )
    old_role = member.role
    old_series = {s.slug for s in member.series}
    member.role = new_role
    member.series = list(series)
    db.session.flush()
    if new_role is not old_role:
        audit.record(
            "account.role", "member", member.id, actor=actor, old=old_role.value, new=new_role.value
        )
    new_series = {s.slug for s in member.series}
    if new_series != old_series:
        audit.record(
            "account.series",
            "member",
            member.id,
            actor=actor,
            added=sorted(new_series - old_series),
            removed=sorted(old_series - new_series),
        )


def set_active(actor: Member, member: Member, active: bool) -> int:
    """Deactivate (ending every login session) or reactivate ``member``.
    Returns how many login sessions were ended."""
    if active:
        accounts.reactivate(member, actor=actor)
        return 0
    if member.id == actor.id:
        raise AccountError("active", "You cannot deactivate your own account.")
    return accounts.deactivate(member, actor=actor)
