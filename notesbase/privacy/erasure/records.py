"""Everywhere else a person's details were typed, in the database: review
rounds, write-ups, leak-check overrides, consents, circulations, invitations,
meetings and series, the audit log, kept API answers and their member
account. Each function flushes and returns how many rows it changed."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from typing import Any

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure.facts import PersonFacts
from notesbase.models import (
    ApiToken,
    AuditEvent,
    Circulation,
    CirculationRecipient,
    Consent,
    IdempotencyKey,
    IndexOutbox,
    Invite,
    LeakOverride,
    LoginSession,
    Meeting,
    Member,
    MentionScan,
    Person,
    Reviewer,
    ReviewRequest,
    Series,
    Writeup,
    WriteupSnapshot,
    WriteupSnapshotItem,
    utcnow,
)
from notesbase.privacy.erasure.texts import ERASED_LABEL, rewritten, rewritten_json

# What an erased member account is called, and the domain of its address
# (``.invalid`` is reserved: no mail can ever reach it).
ERASED_MEMBER = "Erased member"
ERASED_DOMAIN = "erased.invalid"

# Columns of free text that may carry anyone's name, by model.
TEXT_COLUMNS: dict[type, tuple[str, ...]] = {
    ReviewRequest: ("suggested", "comment", "reason"),
    LeakOverride: ("reason",),
    Writeup: ("summary",),
    WriteupSnapshot: ("summary",),
    WriteupSnapshotItem: ("body", "section"),
    Consent: ("note",),
    Circulation: ("subject",),
    Meeting: ("title", "theme", "speakers", "description"),
    Series: ("title", "description"),
}


def rewrite_texts(facts: PersonFacts) -> Counter[str]:
    """Rewrite every text column of ``TEXT_COLUMNS``; rows changed by table."""
    changed: Counter[str] = Counter()
    for model, columns in TEXT_COLUMNS.items():
        for row in db.session.scalars(sa.select(model)):
            touched = False
            for column in columns:
                found = rewritten(getattr(row, column), facts)
                if found.changed:
                    setattr(row, column, found.text)
                    touched = True
            if touched:
                changed[model.__tablename__] += 1  # type: ignore[attr-defined]
                if isinstance(row, WriteupSnapshotItem | WriteupSnapshot | Writeup):
                    _reindex_writeup(row)
    db.session.flush()
    return changed


def _reindex_writeup(row: Writeup | WriteupSnapshot | WriteupSnapshotItem) -> None:
    """A changed snapshot is not watched by the search outbox: ask for it."""
    if isinstance(row, WriteupSnapshotItem):
        snapshot = db.session.get(WriteupSnapshot, row.snapshot_id)
        row = snapshot if snapshot is not None else row
    writeup = row.writeup if isinstance(row, WriteupSnapshot) else row
    if isinstance(writeup, Writeup):
        db.session.add(
            IndexOutbox(target="writeup", target_id=writeup.meeting_id, created_at=utcnow())
        )


def remove_rows(person: Person, member: Member | None) -> Counter[str]:
    """Rows that exist only for the person: consents, review links (with
    their requests), mention scans, invitations and recipients at their
    addresses."""
    removed: Counter[str] = Counter()
    addresses = {a.lower() for a in (person.email, member.email if member else None) if a}
    reviewers = sa.select(Reviewer.id).where(Reviewer.person_id == person.id)
    statements: list[tuple[str, Any]] = [
        (
            "review_requests",
            sa.delete(ReviewRequest).where(ReviewRequest.reviewer_id.in_(reviewers)),
        ),
        ("reviewers", sa.delete(Reviewer).where(Reviewer.person_id == person.id)),
        ("consents", sa.delete(Consent).where(Consent.person_id == person.id)),
        ("mention_scans", sa.delete(MentionScan).where(MentionScan.person_id == person.id)),
    ]
    if addresses:
        lowered = sorted(addresses)
        statements.append(
            ("invites", sa.delete(Invite).where(sa.func.lower(Invite.email).in_(lowered)))
        )
        recipient = sa.func.lower(CirculationRecipient.email).in_(lowered)
        if member is not None:
            recipient = sa.or_(recipient, CirculationRecipient.member_id == member.id)
        statements.append(
            ("circulation_recipients", sa.delete(CirculationRecipient).where(recipient))
        )
    elif member is not None:
        statements.append(
            (
                "circulation_recipients",
                sa.delete(CirculationRecipient).where(CirculationRecipient.member_id == member.id),
            )
        )
    for table, statement in statements:
        result = db.session.execute(statement, execution_options={"synchronize_session": False})
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            removed[table] += count
    db.session.flush()
    return removed


def rewrite_audit(facts: PersonFacts, member: Member | None) -> int:
    """Audit events whose actor label or details name the person; the
    member's own events keep their id but lose the label."""
    changed = 0
    for event in db.session.scalars(sa.select(AuditEvent)):
        touched = False
        if (member is not None and event.actor_id == member.id) or rewritten(
            event.actor_label, facts
        ).changed:
            event.actor_label = ERASED_LABEL
            touched = True
        details, details_changed = rewritten_json(event.details or {}, facts)
        if details_changed:
            event.details = details
            touched = True
        changed += touched
    db.session.flush()
    return changed


def _carries(body: str, facts: PersonFacts) -> bool:
    try:
        value = json.loads(body) if body else None
    except ValueError:
        value = body
    return rewritten_json(value, facts)[1] or rewritten(body, facts).changed


def drop_kept_answers(person: Person, facts: PersonFacts, member: Member | None) -> int:
    """Kept API answers (idempotency keys) that carry the person, that are
    about them, or that their account sent: dropped, not rewritten (a
    replay must not answer with something else). A claim at work stays."""
    dropped = 0
    about = f"/people/{person.id}"
    keys = db.session.scalars(sa.select(IdempotencyKey).where(IdempotencyKey.status.is_not(None)))
    for key in keys:
        if (
            (member is not None and key.member_id == member.id)
            or key.path.endswith(about)
            or f"{about}/" in key.path
            or _carries(key.body, facts)
            or rewritten_json(key.headers or {}, facts)[1]
        ):
            db.session.delete(key)
            dropped += 1
    db.session.flush()
    return dropped


def erase_member(member: Member) -> None:
    """Their account stays (ids in the log point at it) but can no longer be
    used or tell anyone who they were."""
    member.active = False
    member.email = f"erased-{secrets.token_hex(12)}@{ERASED_DOMAIN}"
    member.display_name = ERASED_MEMBER
    member.password_hash = None
    member.last_login_at = None
    member.series.clear()
    db.session.execute(sa.delete(LoginSession).where(LoginSession.member_id == member.id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.member_id == member.id))
    db.session.flush()
