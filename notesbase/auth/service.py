"""Account services: they flush, the caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Member


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_member_by_email(email: str) -> Member | None:
    return db.session.scalar(sa.select(Member).where(Member.email == normalise_email(email)))
