"""How a reviewer sets their own consent from their review (the page and
the API alike): a grant like any other, through the consent service,
audited as made through the person's review link."""

from __future__ import annotations

from notesbase.consent.grants import Scope, grant
from notesbase.db import db
from notesbase.models import AuditEvent, Reviewer
from notesbase.notes.errors import NotesError
from notesbase.review.links import label_for

SCOPES = ("meeting", "series", "everywhere")


def scope_of(reviewer: Reviewer, name: str) -> Scope:
    """The reviewer's meeting, its series, or everywhere; ``NotesError`` otherwise."""
    meeting = reviewer.round.meeting
    if name == "meeting":
        return Scope(meeting=meeting)
    if name == "series":
        return Scope(series=meeting.series)
    if name == "everywhere":
        return Scope()
    raise NotesError("scope", f"Choose one of: {', '.join(SCOPES)}.")


def set_consent(reviewer: Reviewer, audience: str, level: str, scope_name: str) -> Scope:
    """Grant ``level`` for ``audience`` in the named scope, as the person;
    ``NotesError`` for anything the consent service refuses."""
    scope = scope_of(reviewer, scope_name)
    grant(
        reviewer.person,
        audience,
        level,
        scope,
        actor=None,
        note="by the person, in their review",
    )
    relabel_consent_events(reviewer)
    return scope


def relabel_consent_events(reviewer: Reviewer) -> None:
    """The grant was made by the person through their link, not from the
    command line: say so in the audit events it added."""
    for event in db.session.new:
        if isinstance(event, AuditEvent) and event.action.startswith("consent."):
            event.actor_label = label_for(reviewer)
