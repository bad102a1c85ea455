"""Audit events about the notes, people, consent and publishing, in words
(registered in ``audit_wording.WORDINGS``; ``audit_words`` gathers them)."""

from __future__ import annotations

from typing import Any

from notesbase.admin.audit_names import Link, Names
from notesbase.admin.audit_wording import (
    Part,
    count,
    details_of,
    enum_label,
    lower_first,
    plural,
    wording,
)
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import AuditEvent

# The notes ------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return enum_label(Kind, value).lower()


def _confidentiality(value: Any) -> str:
    return enum_label(Confidentiality, value).lower()


def _changes(details: dict[str, Any], *skip: str) -> str:
    changed = [str(name).replace("_id", "") for name in details.get("changed") or []]
    changed = [name for name in changed if name not in skip]
    return f": changed the {', '.join(changed)}" if changed else ""


def _item_of(event: AuditEvent, names: Names) -> list[Part]:
    """'item 3 of meeting 10 of …'."""
    return [names.item(event.target_id), " of ", names.meeting(event.meeting_id)]


@wording("item.create", "Added an item", "notes")
def _item_create(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    what = f" (a {_kind(details.get('kind'))}, {_confidentiality(details.get('confidentiality'))})"
    return ["Added ", names.item(event.target_id), what, " to ", names.meeting(event.meeting_id)]


@wording("item.update", "Edited an item", "notes")
def _item_update(event: AuditEvent, names: Names) -> list[Part]:
    return ["Edited ", *_item_of(event, names), _changes(details_of(event))]


@wording("item.confidentiality", "Changed an item's confidentiality", "notes")
def _item_confidentiality(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    change = details.get("confidentiality")
    moved = ""
    if isinstance(change, list) and len(change) == 2:
        moved = f" from {_confidentiality(change[0])} to {_confidentiality(change[1])}"
    others = _changes(details, "confidentiality").replace(": changed", "; also changed")
    return ["Changed the confidentiality of ", *_item_of(event, names), moved + others]


@wording("item.delete", "Deleted an item", "notes")
def _item_delete(event: AuditEvent, names: Names) -> list[Part]:
    level = _confidentiality(details_of(event).get("confidentiality"))
    return [
        "Deleted ",
        names.item(event.target_id),
        f" ({level}) from ",
        names.meeting(event.meeting_id),
    ]


@wording("item.purge", "Purged a confidential item", "notes")
def _item_purge(event: AuditEvent, names: Names) -> list[Part]:
    return ["Purged the confidential ", *_item_of(event, names), ", with every version of it"]


@wording("item.purge_history", "Purged an item's earlier versions", "notes")
def _item_purge_history(event: AuditEvent, names: Names) -> list[Part]:
    removed = plural(count(details_of(event).get("removed")), "earlier version")
    return [f"Purged {removed} of ", *_item_of(event, names)]


@wording("notes.import", "Imported notes", "notes")
def _notes_import(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    counts = ", ".join(
        [
            f"{plural(count(details.get('items_created')), 'item')} added",
            f"{count(details.get('items_deleted'))} removed",
            f"{plural(count(details.get('people_created')), 'person', 'people')} added",
        ]
    )
    return [
        "Imported notes into ",
        names.meeting(event.meeting_id or event.target_id),
        f" ({counts})",
    ]


# People and consent -------------------------------------------------------------------


@wording("person.update", "Edited a person", "people")
def _person_update(event: AuditEvent, names: Names) -> list[Part]:
    return ["Edited ", names.person(event.target_id), _changes(details_of(event))]


@wording("person.link", "Linked a person to an account", "people")
def _person_link(event: AuditEvent, names: Names) -> list[Part]:
    member_id = details_of(event).get("member_id")
    if member_id is None:
        return ["Unlinked ", names.person(event.target_id), " from their account"]
    return ["Linked ", names.person(event.target_id), " to the account ", names.member(member_id)]


def _consent(event: AuditEvent, names: Names) -> list[Part]:
    """'to be credited by name and affiliation, to the public, at meeting 3 of …'."""
    details = details_of(event)
    level = lower_first(enum_label(Level, details.get("level")))
    audience = lower_first(enum_label(ConsentAudience, details.get("audience")))
    level = level.replace("anonymous", "anonymously", 1)
    parts: list[Part] = [f" to be credited {level}, to {audience}, "]
    if event.meeting_id is not None:
        return [*parts, "at ", names.meeting(event.meeting_id)]
    if details.get("series_id") is not None:
        return [*parts, "at every meeting of ", names.series_named(details["series_id"])]
    return [*parts, "everywhere"]


@wording("consent.grant", "Recorded consent", "people")
def _consent_grant(event: AuditEvent, names: Names) -> list[Part]:
    previous = details_of(event).get("previous_level")
    before = f" (before: {lower_first(enum_label(Level, previous))})" if previous else ""
    return ["Recorded consent for ", names.person(event.target_id), *_consent(event, names), before]


@wording("consent.withdraw", "Withdrew consent", "people")
def _consent_withdraw(event: AuditEvent, names: Names) -> list[Part]:
    return ["Withdrew consent for ", names.person(event.target_id), *_consent(event, names)]


# Write-ups, leak check and circulation ---------------------------------------------------


@wording("writeup.save", "Saved a write-up", "publishing")
def _writeup_save(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    state = ", published" if details.get("published") else ", not published"
    items = plural(count(details.get("items")), "item")
    return ["Saved the write-up of ", names.meeting(event.meeting_id), f" ({items}{state})"]


@wording("leakcheck.override", "Overrode a leak-check finding", "publishing")
def _override(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    rule = details.get("rule")
    channel = details.get("channel")
    page = names.meeting_page(event.meeting_id, "leakcheck.page")
    finding = Link(f"a leak-check finding ({rule})" if rule else "a leak-check finding", page)
    where = f" in the {channel} output" if channel else ""
    return ["Overrode ", finding, f"{where} of ", names.meeting(event.meeting_id)]


def _sending(event: AuditEvent) -> str:
    details = details_of(event)
    sent, recipients = count(details.get("sent")), count(details.get("recipients"))
    parts = [f"sent to {sent} of {recipients}"]
    for key, words in (
        ("failed", "failed"),
        ("uncertain", "uncertain"),
        ("not_attempted", "not yet tried"),
    ):
        if count(details.get(key)):
            parts.append(f"{words} for {details[key]}")
    return ", ".join(parts)


def _circulation(event: AuditEvent, names: Names) -> Link:
    anchor = f"circulation-{event.target_id}"
    url = names.meeting_page(event.meeting_id, "circulation.circulate", anchor)
    return Link(f"circulation {event.target_id}", url)


@wording("circulation.send", "Circulated notes by email", "publishing")
def _circulation_send(event: AuditEvent, names: Names) -> list[Part]:
    return [
        "Circulated the notes of ",
        names.meeting(event.meeting_id),
        " by email (",
        _circulation(event, names),
        f": {_sending(event)})",
    ]


@wording("circulation.resume", "Resumed a circulation", "publishing")
def _circulation_resume(event: AuditEvent, names: Names) -> list[Part]:
    return [
        "Resumed ",
        _circulation(event, names),
        " of the notes of ",
        names.meeting(event.meeting_id),
        f" ({_sending(event)})",
    ]
