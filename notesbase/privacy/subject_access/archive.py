"""One person's archive: ``subject-access.json`` (format ``FORMAT``,
documented in docs/operations.md) and ``report.md``, the same in words, in
one zip. Built from the current rows; nothing is written here."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from notesbase.models import Person, utcnow
from notesbase.privacy.subject_access import records
from notesbase.privacy.subject_access.items import subject_items
from notesbase.privacy.subject_access.report import report
from notesbase.privacy.subject_access.texts import words_for

FORMAT = "notesbase-subject-access"
VERSION = 1
JSON_NAME = "subject-access.json"
REPORT_NAME = "report.md"


def gather(person: Person) -> dict[str, Any]:
    """Everything held about ``person``, as the module docstrings of
    ``records`` and ``items`` describe: plain values, ready for JSON."""
    member = person.member
    emails = records.addresses(person, member)
    words = words_for(person.id, member.id if member else None, emails)
    return {
        "format": FORMAT,
        "version": VERSION,
        "produced_at": utcnow(),
        "person": records.person_record(person),
        "account": records.account_record(member, words) if member is not None else None,
        "consents": records.consent_records(person, words),
        "items": subject_items(person, member),
        "invitations": records.invitation_records(emails, words),
        "reviews": records.review_records(person, words),
        "emails": records.email_records(person, member, emails),
        "audit": records.audit_records(person, member, words),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} into the archive")


def to_json(data: dict[str, Any]) -> str:
    # Characters as they are (ensure_ascii=False): an escape would hide
    # nothing from a reader and everything from a scan of the bytes.
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2) + "\n"


def file_name(person: Person) -> str:
    """A name that carries no one's name: the person's id and the date."""
    return f"subject-access-person-{person.id}-{utcnow():%Y%m%d}.zip"


def build(person: Person) -> bytes:
    """The zip of ``person``'s archive."""
    data = gather(person)
    buffer = io.BytesIO()
    stamp = utcnow().timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in ((JSON_NAME, to_json(data)), (REPORT_NAME, report(data))):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
