"""Audit events of subject access and the privacy notice, in words
(registered in ``audit_wording.WORDINGS``; ``audit_words`` gathers them)."""

from __future__ import annotations

from notesbase.admin.audit_names import Names
from notesbase.admin.audit_wording import GROUPS, Part, details_of, wording
from notesbase.models import AuditEvent

GROUPS.setdefault("privacy", "Data protection")

ASKED = {
    "self": "themself",
    "facilitator": "a facilitator",
    "admin": "an admin",
    "command line": "the command line",
}
VIA = {"web": "on the web", "api": "through the API", "command line": "on the command line"}


@wording("person.subject_access", "Downloaded everything held about a person", "privacy")
def _subject_access(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    asked = ASKED.get(str(details.get("asked_by")), "someone")
    via = VIA.get(str(details.get("via")), "")
    return [
        "Produced the archive of everything held about ",
        names.person(event.target_id),
        f", asked for by {asked}{' ' + via if via else ''}",
    ]


@wording("site.privacy_notice", "Changed the privacy notice", "privacy")
def _privacy_notice(event: AuditEvent, names: Names) -> list[Part]:
    if details_of(event).get("default"):
        return ["Set the privacy notice back to its default text"]
    return ["Changed the text of the privacy notice"]
