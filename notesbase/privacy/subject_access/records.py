"""Everything but the notes that the app holds about a person: the person
record, their account (logins and API tokens by name and date, never a hash
or secret), consents with their history, invitations to their addresses,
review links, emails sent to them, and audit entries about them. Other
people appear only as a role or "you"; free text passes ``Words.text``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from notesbase.audit import COMMAND_LINE, VISITOR
from notesbase.db import db
from notesbase.models import (
    ApiToken,
    AuditEvent,
    Circulation,
    CirculationRecipient,
    Consent,
    Invite,
    LoginSession,
    Meeting,
    Member,
    Person,
    RequestStatus,
    Reviewer,
)
from notesbase.privacy.subject_access.texts import Words
from notesbase.review.mail import invitation_subject, outcome_subject, reminder_subject
from notesbase.review.requests import is_stale, reason_shown


def person_record(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "affiliation": person.affiliation,
        "descriptor": person.descriptor,
        "email": person.email,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def account_record(member: Member, words: Words) -> dict[str, Any]:
    sessions = db.session.scalars(
        sa.select(LoginSession).where(LoginSession.member_id == member.id).order_by(LoginSession.id)
    )
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.member_id == member.id).order_by(ApiToken.id)
    )
    return {
        "email": member.email,
        "display_name": member.display_name,
        "role": member.role.value,
        "active": member.active,
        "series": [s.title for s in member.series],
        "created_at": member.created_at,
        "last_login_at": member.last_login_at,
        "login_sessions": [
            {
                "started_at": s.created_at,
                "last_seen_at": s.last_seen_at,
                "expires_at": s.expires_at,
                "ended_at": s.revoked_at,
                "remembered": s.remember,
            }
            for s in sessions
        ],
        "api_tokens": [
            {
                "name": words.text(t.name),
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in tokens
        ],
    }


def _scope(consent: Consent) -> str:
    if consent.meeting is not None:
        return f"meeting {consent.meeting.number} of {consent.meeting.series.title}"
    if consent.series is not None:
        return f"the series {consent.series.title}"
    return "everywhere"


def consent_records(person: Person, words: Words) -> list[dict[str, Any]]:
    """Every grant ever made, withdrawn ones too, oldest first."""
    rows = db.session.scalars(
        sa.select(Consent).where(Consent.person_id == person.id).order_by(Consent.id)
    )
    return [
        {
            "audience": c.audience.value,
            "level": c.level.value,
            "scope": _scope(c),
            "note": words.text(c.note),
            "granted_at": c.granted_at,
            "granted_by": words.who(c.granted_by),
            "withdrawn_at": c.withdrawn_at,
            "withdrawn_by": words.who(c.withdrawn_by) if c.withdrawn_at else None,
        }
        for c in rows
    ]


def addresses(person: Person, member: Member | None) -> set[str]:
    found = {person.email.lower()} if person.email else set()
    if member is not None:
        found.add(member.email.lower())
    return found


def invitation_records(emails: set[str], words: Words) -> list[dict[str, Any]]:
    if not emails:
        return []
    rows = db.session.scalars(
        sa.select(Invite).where(sa.func.lower(Invite.email).in_(sorted(emails))).order_by(Invite.id)
    )
    return [
        {
            "email": i.email,
            "role": i.role.value,
            "series": [s.title for s in i.series],
            "sent_by": words.who(i.created_by),
            "created_at": i.created_at,
            "expires_at": i.expires_at,
            "accepted_at": i.accepted_at,
            "revoked_at": i.revoked_at,
        }
        for i in rows
    ]


def _reviewers(person: Person) -> list[Reviewer]:
    return list(
        db.session.scalars(
            sa.select(Reviewer).where(Reviewer.person_id == person.id).order_by(Reviewer.id)
        )
    )


def review_records(person: Person, words: Words) -> list[dict[str, Any]]:
    """Each review the person was asked to: the round, their link's dates, their requests."""
    found = []
    for reviewer in _reviewers(person):
        review = reviewer.round
        found.append(
            {
                "series": review.meeting.series.title,
                "meeting": review.meeting.number,
                "round_status": review.status.value,
                "deadline": review.deadline,
                "invited_at": reviewer.invited_at,
                "reminded_at": reviewer.reminded_at,
                "link_used_at": reviewer.token_used_at,
                "link_revoked_at": reviewer.revoked_at,
                "approved_at": reviewer.approved_at,
                "requests": [
                    {
                        "item": r.item_id,
                        "item_version": r.item_version,
                        "stale": is_stale(r),
                        "kind": r.kind.value,
                        "suggested": words.text(r.suggested),
                        "comment": words.text(r.comment),
                        "status": r.status.value,
                        "reason": words.text(reason_shown(r)),
                        "created_at": r.created_at,
                        "resolved_at": r.resolved_at,
                    }
                    for r in reviewer.requests
                ],
            }
        )
    return found


def _mail(when: Any, kind: str, subject: str, meeting: Meeting, **more: Any) -> dict[str, Any]:
    return {
        "sent_at": when,
        "kind": kind,
        "subject": subject,
        "series": meeting.series.title,
        "meeting": meeting.number,
        **more,
    }


def email_records(person: Person, member: Member | None, emails: set[str]) -> list[dict[str, Any]]:
    """The circulations sent (or tried) to them and the review's emails, by date."""
    found = []
    conditions = []
    if member is not None:
        conditions.append(CirculationRecipient.member_id == member.id)
    if emails:
        conditions.append(sa.func.lower(CirculationRecipient.email).in_(sorted(emails)))
    if conditions:
        rows = db.session.execute(
            sa.select(CirculationRecipient, Circulation)
            .join(Circulation, CirculationRecipient.circulation_id == Circulation.id)
            .where(sa.or_(*conditions))
            .order_by(CirculationRecipient.id)
        )
        for recipient, circulation in rows:
            found.append(
                _mail(
                    recipient.sent_at or circulation.started_at,
                    "circulation",
                    circulation.subject,
                    circulation.meeting,
                    to=recipient.email,
                    status=recipient.status.value,
                )
            )
    for reviewer in _reviewers(person):
        meeting = reviewer.round.meeting
        if reviewer.invited_at:
            found.append(
                _mail(
                    reviewer.invited_at, "review invitation", invitation_subject(meeting), meeting
                )
            )
        if reviewer.reminded_at:
            found.append(
                _mail(reviewer.reminded_at, "review reminder", reminder_subject(meeting), meeting)
            )
        for r in reviewer.requests:
            if r.resolved_at and r.status is not RequestStatus.OPEN:
                accepted = r.status is RequestStatus.ACCEPTED
                subject = outcome_subject(meeting, accepted)
                found.append(_mail(r.resolved_at, "answer to a request", subject, meeting))
    return sorted(found, key=lambda m: str(m["sent_at"] or ""))


def _about(event: AuditEvent, person: Person, member: Member | None) -> bool:
    details = event.details or {}
    if event.target_type == "person" and event.target_id == person.id:
        return True
    if details.get("person_id") == person.id:
        return True
    if member is None:
        return False
    if event.actor_id == member.id or details.get("member_id") == member.id:
        return True
    return event.target_type == "member" and event.target_id == member.id


def _actor(event: AuditEvent, words: Words, person: Person) -> str:
    if event.actor is not None:
        return words.who(event.actor)
    if event.actor_label in (COMMAND_LINE, VISITOR):
        return event.actor_label
    if event.action.startswith("review.") and _about(event, person, None):
        return "you, through your review link"
    return "not recorded"


def _details(details: dict[str, Any], words: Words) -> dict[str, Any]:
    return {
        key: words.text(value) if isinstance(value, str) else value
        for key, value in sorted((details or {}).items())
    }


def audit_records(person: Person, member: Member | None, words: Words) -> list[dict[str, Any]]:
    """Audit entries about them: the person as target, their account as actor
    or target, or details naming either (by id, or by the matcher)."""
    conditions = [sa.and_(AuditEvent.target_type == "person", AuditEvent.target_id == person.id)]
    if member is not None:
        conditions += [
            AuditEvent.actor_id == member.id,
            sa.and_(AuditEvent.target_type == "member", AuditEvent.target_id == member.id),
        ]
    ids = set(db.session.scalars(sa.select(AuditEvent.id).where(sa.or_(*conditions))))
    # Details are few words and ids: read them all and ask in Python, so the
    # JSON of either engine is read the same way.
    for event_id, details in db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.details).execution_options(yield_per=1000)
    ):
        if event_id in ids or not details:
            continue
        by_id = details.get("person_id") == person.id or (
            member is not None and details.get("member_id") == member.id
        )
        strings = [v for v in details.values() if isinstance(v, str)]
        if by_id or any(person.id in words.mentions.people_in(v) for v in strings):
            ids.add(event_id)
    if not ids:
        return []
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.id.in_(sorted(ids))).order_by(AuditEvent.id)
    )
    found = []
    for event in events:
        meeting = db.session.get(Meeting, event.meeting_id) if event.meeting_id else None
        found.append(
            {
                "at": event.at,
                "action": event.action,
                "by": _actor(event, words, person),
                "target": event.target_type,
                "meeting": (
                    {"series": meeting.series.title, "number": meeting.number} if meeting else None
                ),
                "details": _details(event.details, words),
            }
        )
    return found
