"""Granting and withdrawing consent. A new grant for the same person,
audience and scope replaces the active one; both stay in the history."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Level
from notesbase.models import Consent, Meeting, Member, Person, Series, utcnow
from notesbase.notes.errors import NotesError
from notesbase.text import clean_line

NOTE_MAX = 300


@dataclass(frozen=True)
class Scope:
    """Everywhere (both None), one series, or one meeting."""

    series: Series | None = None
    meeting: Meeting | None = None

    def __post_init__(self) -> None:
        if self.series is not None and self.meeting is not None:
            raise NotesError("scope", "A consent covers one series or one meeting, not both.")

    @property
    def label(self) -> str:
        if self.meeting is not None:
            return f"meeting {self.meeting.number} of {self.meeting.series.title}"
        if self.series is not None:
            return f"every meeting of {self.series.title}"
        return "everywhere"


def _scope_filter(scope: Scope) -> list[sa.ColumnElement[bool]]:
    return [
        Consent.series_id == scope.series.id
        if scope.series is not None
        else Consent.series_id.is_(None),
        Consent.meeting_id == scope.meeting.id
        if scope.meeting is not None
        else Consent.meeting_id.is_(None),
    ]


def active_grant(person: Person, audience: ConsentAudience, scope: Scope) -> Consent | None:
    return db.session.scalar(
        sa.select(Consent).where(
            Consent.person_id == person.id,
            Consent.audience == audience,
            Consent.withdrawn_at.is_(None),
            *_scope_filter(scope),
        )
    )


def check_audience(value: str | ConsentAudience) -> ConsentAudience:
    try:
        return ConsentAudience(value)
    except ValueError:
        raise NotesError("audience", "The audience is 'member' or 'public'.") from None


def check_level(value: str | Level) -> Level:
    try:
        return Level(value)
    except ValueError:
        choices = ", ".join(level.value for level in Level)
        raise NotesError("level", f"Choose a level: {choices}.") from None


def grant(
    person: Person,
    audience: ConsentAudience | str,
    level: Level | str,
    scope: Scope,
    *,
    actor: Member | None,
    note: str = "",
) -> Consent:
    """Record how ``person`` may be credited for ``audience`` in ``scope``,
    replacing any active grant there. Takes effect on the next request."""
    audience = check_audience(audience)
    level = check_level(level)
    note = clean_line(note)
    if len(note) > NOTE_MAX:
        raise NotesError("note", f"A note is at most {NOTE_MAX} characters.")
    now = utcnow()
    previous = active_grant(person, audience, scope)
    if previous is not None:
        previous.withdrawn_at = now
        previous.withdrawn_by_id = actor.id if actor is not None else None
    consent = Consent(
        person_id=person.id,
        audience=audience,
        level=level,
        series_id=scope.series.id if scope.series is not None else None,
        meeting_id=scope.meeting.id if scope.meeting is not None else None,
        note=note,
        granted_by_id=actor.id if actor is not None else None,
        granted_at=now,
    )
    db.session.add(consent)
    db.session.flush()
    audit.record(
        "consent.grant",
        "person",
        person.id,
        actor=actor,
        meeting_id=consent.meeting_id,
        audience=audience.value,
        level=level.value,
        previous_level=previous.level.value if previous is not None else None,
        series_id=consent.series_id,
        consent_id=consent.id,
    )
    return consent


def withdraw(consent: Consent, *, actor: Member | None) -> bool:
    """Withdraw a grant (the person falls back to a wider grant, or anonymous).
    False when it was already withdrawn."""
    if consent.withdrawn_at is not None:
        return False
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        "consent.withdraw",
        "person",
        consent.person_id,
        actor=actor,
        meeting_id=consent.meeting_id,
        audience=consent.audience.value,
        level=consent.level.value,
        series_id=consent.series_id,
        consent_id=consent.id,
    )
    return True


def withdraw_all(person: Person, *, actor: Member | None) -> int:
    """Withdraw every active grant of ``person``: anonymous everywhere."""
    count = 0
    for consent in active_grants(person):
        count += withdraw(consent, actor=actor)
    return count


def active_grants(person: Person) -> list[Consent]:
    return list(
        db.session.scalars(
            sa.select(Consent)
            .where(Consent.person_id == person.id, Consent.withdrawn_at.is_(None))
            .order_by(Consent.granted_at)
        )
    )


def history(person: Person) -> list[Consent]:
    """Every grant ever made for ``person``, newest first."""
    return list(
        db.session.scalars(
            sa.select(Consent)
            .where(Consent.person_id == person.id)
            .order_by(Consent.granted_at.desc(), Consent.id.desc())
        )
    )
