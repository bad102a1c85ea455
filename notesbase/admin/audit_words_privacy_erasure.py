"""Audit events of erasure and backups, in words (gathered by ``audit_words``).
An erasure's event never names the person: they are gone, and their id is
all the log keeps."""

from __future__ import annotations

from notesbase.admin.audit_names import Names
from notesbase.admin.audit_wording import GROUPS, Part, count, details_of, plural, wording
from notesbase.models import AuditEvent

GROUPS.setdefault("privacy", "Data protection")


@wording("person.erase", "Erased a person", "privacy")
def _erase(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    removed = plural(count(details.get("removed")), "item")
    kept = plural(count(details.get("anonymised")), "item")
    hidden = count(details.get("made_confidential"))
    tail = f", {hidden} made confidential" if hidden else ""
    account = " and their member account" if details.get("member") else ""
    return [
        f"Erased person #{event.target_id}{account}: {removed} removed, {kept} anonymised{tail}"
    ]


@wording("backup.write", "Wrote a backup", "privacy")
def _backup(event: AuditEvent, names: Names) -> list[Part]:
    path = details_of(event).get("path") or "a folder"
    return [f"Wrote a backup to {path}"]
