"""Every audit action in words: a short name for the filter ("Signed in")
and a sentence for each event ("Withdrew consent for Jane Doe to be credited
by name and affiliation, to members of the series, everywhere").

``WORDINGS`` words each of ``notesbase.audit.ACTIONS``; a test keeps the two
equal, so no action can be recorded without a wording. A sentence is a list
of parts, plain text or a ``Link``, so the template escapes every name.
Details are read defensively: an older event may lack one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notesbase.admin.audit_names import Link, Names
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import AuditEvent, Role

Part = str | Link
Say = Callable[[AuditEvent, Names], list[Part]]

# Groups of actions, in the order the filter offers them.
GROUPS = {
    "logins": "Signing in and out",
    "accounts": "Accounts and API tokens",
    "invitations": "Invitations",
    "notes": "The notes",
    "people": "People and consent",
    "publishing": "Write-ups, leak check and circulation",
}


@dataclass(frozen=True)
class Wording:
    label: str  # the action's short name, for the filter
    group: str  # a key of GROUPS
    say: Say


WORDINGS: dict[str, Wording] = {}


def wording(action: str, label: str, group: str) -> Callable[[Say], Say]:
    def add(say: Say) -> Say:
        assert group in GROUPS and action not in WORDINGS
        WORDINGS[action] = Wording(label, group, say)
        return say

    return add


# What a plain sentence names: the event's target, or its meeting.
TARGETS: dict[str, Callable[[AuditEvent, Names], Link]] = {
    "member": lambda event, names: names.member(event.target_id),
    "person": lambda event, names: names.person(event.target_id),
    "invite": lambda event, names: names.invite(event.target_id),
    "meeting": lambda event, names: names.meeting(event.meeting_id or event.target_id),
}


def plain(action: str, label: str, group: str, template: str, *counted: str) -> None:
    """Word ``action`` as fixed words around at most one named thing, written
    ``{member}``, ``{person}``, ``{invite}`` or ``{meeting}`` in ``template``;
    ``counted`` (detail, word, words around it) adds a count when there is one."""
    shape = re.fullmatch(r"([^{]*)(?:\{(\w+)\})?(.*)", template)
    assert shape is not None
    before, target, after = shape.groups()

    def say(event: AuditEvent, names: Names) -> list[Part]:
        tail = after + (_if_any(event, *counted) if counted else "")
        return [before, TARGETS[target](event, names), tail] if target else [before + tail]

    assert target is None or target in TARGETS
    wording(action, label, group)(say)


# The actions said in fixed words, by group: action -> (label, sentence).
PLAIN = {
    "logins": {
        "account.login": ("Signed in", "Signed in"),
        "account.logout": ("Signed out", "Signed out"),
    },
    "accounts": {
        "account.reactivate": ("Reactivated an account", "Reactivated {member}"),
        "account.rename": ("Changed a display name", "Changed the display name of {member}"),
        "account.password": (
            "Changed a password",
            "Changed the password of {member}",
            "other_sessions_ended",
            "other login session",
            ", ending {}",
        ),
    },
    "invitations": {
        "account.invite.accept": ("Accepted an invitation", "Accepted the invitation to {invite}"),
        "account.invite.revoke": ("Withdrew an invitation", "Withdrew the invitation to {invite}"),
    },
    "notes": {"item.reorder": ("Reordered the items", "Reordered the items of {meeting}")},
    "people": {"person.create": ("Added a person", "Added the person {person}")},
    "publishing": {
        "writeup.publish": (
            "Published a write-up",
            "Published the write-up of {meeting}",
            "overridden",
            "leak-check finding",
            " ({} overridden)",
        ),
        "writeup.unpublish": (
            "Took a write-up out of public view",
            "Took the write-up of {meeting} out of public view",
        ),
        "writeup.withhold": (
            "Withheld a write-up from the public",
            "Withheld the write-up of {meeting} from the public until it is published again",
            "findings",
            "leak-check finding",
            " ({} standing)",
        ),
    },
}
for group, actions in PLAIN.items():
    for action, (label, *words) in actions.items():
        plain(action, label, group, *words)


def sentence(event: AuditEvent, names: Names) -> list[Part]:
    """The event in words; an action this version no longer records keeps its code."""
    found = WORDINGS.get(event.action)
    if found is None:
        return [f"Recorded “{event.action}”"]
    return found.say(event, names)


# Reading details --------------------------------------------------------------


def _d(event: AuditEvent) -> dict[str, Any]:
    return event.details if isinstance(event.details, dict) else {}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _if_any(event: AuditEvent, key: str, word: str, template: str) -> str:
    """``template`` with the count of ``key`` in words, or nothing when there are none."""
    n = _count(_d(event).get(key))
    return template.format(_plural(n, word)) if n else ""


def _enum_label(enum: Any, value: Any) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


def _listed(names: Names, slugs: Any) -> list[Part]:
    """Series slugs as linked names, comma separated."""
    parts: list[Part] = []
    for index, slug in enumerate(slugs if isinstance(slugs, list) else []):
        parts += [", "] if index else []
        parts.append(names.series_named(slug))
    return parts


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _circumstances(event: AuditEvent) -> str:
    """' (the per email limit, from 192.0.2.1)' for a refused sign-in."""
    details = _d(event)
    said = [f"the {details['limit']} limit"] if details.get("limit") else []
    said += [f"from {details['address']}"] if details.get("address") else []
    return f" ({', '.join(said)})" if said else ""


# Signing in and out -------------------------------------------------------------


@wording("account.login.failed", "Failed to sign in", "logins")
def _login_failed(event: AuditEvent, names: Names) -> list[Part]:
    reason = _d(event).get("reason") or "refused"
    if event.target_id is None:
        return [f"Failed to sign in with an email that has no account{_circumstances(event)}"]
    who = names.member(event.target_id)
    return ["Failed to sign in as ", who, f": {reason}{_circumstances(event)}"]


@wording("account.login.throttled", "Turned away for too many sign-ins", "logins")
def _login_throttled(event: AuditEvent, names: Names) -> list[Part]:
    tail = _circumstances(event)
    if event.target_id is None:
        return [f"Was turned away after too many sign-in attempts{tail}"]
    return [
        "Was turned away after too many attempts to sign in as ",
        names.member(event.target_id),
        tail,
    ]


# Accounts and API tokens ------------------------------------------------------------


@wording("account.create", "Created an account", "accounts")
def _account_create(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    role = _enum_label(Role, details.get("role", "member")).lower()
    via = " from an invitation" if details.get("via") == "invitation" else ""
    parts: list[Part] = ["Created the account ", names.member(event.target_id), f"{via}, as {role}"]
    series = _listed(names, details.get("series"))
    return parts + ([" in ", *series] if series else [", in no series"])


@wording("account.role", "Changed a role", "accounts")
def _account_role(event: AuditEvent, names: Names) -> list[Part]:
    old = _enum_label(Role, _d(event).get("old")).lower()
    new = _enum_label(Role, _d(event).get("new")).lower()
    return ["Changed the role of ", names.member(event.target_id), f" from {old} to {new}"]


@wording("account.series", "Changed someone's series", "accounts")
def _account_series(event: AuditEvent, names: Names) -> list[Part]:
    parts: list[Part] = ["Changed the series of ", names.member(event.target_id)]
    added = _listed(names, _d(event).get("added"))
    removed = _listed(names, _d(event).get("removed"))
    if added:
        parts += [": added ", *added]
    if removed:
        parts += ["; removed " if added else ": removed ", *removed]
    return parts


@wording("account.deactivate", "Deactivated an account", "accounts")
def _deactivate(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    sessions = _plural(_count(details.get("sessions_ended")), "login session")
    tokens = _plural(_count(details.get("tokens_revoked")), "API token")
    who = names.member(event.target_id)
    return ["Deactivated ", who, f", ending {sessions} and revoking {tokens}"]


@wording("series.add_member", "Added someone to a series", "accounts")
def _series_add(event: AuditEvent, names: Names) -> list[Part]:
    series = names.series_named(_d(event).get("series_id"))
    return ["Added ", names.member(event.target_id), " to ", series]


@wording("token.create", "Created an API token", "accounts")
def _token_create(event: AuditEvent, names: Names) -> list[Part]:
    token = _d(event).get("token_id")
    return [f"Created API token #{token} for ", names.member(event.target_id)]


@wording("token.revoke", "Revoked an API token", "accounts")
def _token_revoke(event: AuditEvent, names: Names) -> list[Part]:
    token = _d(event).get("token_id")
    reason = _d(event).get("reason")
    why = " when the account was deactivated" if reason == "account.deactivate" else ""
    return [f"Revoked API token #{token} of ", names.member(event.target_id), why]


# Invitations ----------------------------------------------------------------------


@wording("account.invite.create", "Invited someone", "invitations")
def _invite(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    role = _enum_label(Role, details.get("role", "member")).lower()
    parts: list[Part] = ["Invited ", names.invite(event.target_id), f" as {role}"]
    series = _listed(names, details.get("series"))
    parts += [" to ", *series] if series else [", to no series"]
    withdrawn = _count(details.get("earlier_withdrawn"))
    if withdrawn:
        parts.append(f" (withdrawing {_plural(withdrawn, 'earlier invitation')})")
    return parts


# The notes ------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return _enum_label(Kind, value).lower()


def _confidentiality(value: Any) -> str:
    return _enum_label(Confidentiality, value).lower()


def _changes(details: dict[str, Any], *skip: str) -> str:
    changed = [str(name).replace("_id", "") for name in details.get("changed") or []]
    changed = [name for name in changed if name not in skip]
    return f": changed the {', '.join(changed)}" if changed else ""


def _item_of(event: AuditEvent, names: Names) -> list[Part]:
    """'item 3 of meeting 10 of …'."""
    return [names.item(event.target_id), " of ", names.meeting(event.meeting_id)]


@wording("item.create", "Added an item", "notes")
def _item_create(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    what = f" (a {_kind(details.get('kind'))}, {_confidentiality(details.get('confidentiality'))})"
    return ["Added ", names.item(event.target_id), what, " to ", names.meeting(event.meeting_id)]


@wording("item.update", "Edited an item", "notes")
def _item_update(event: AuditEvent, names: Names) -> list[Part]:
    return ["Edited ", *_item_of(event, names), _changes(_d(event))]


@wording("item.confidentiality", "Changed an item's confidentiality", "notes")
def _item_confidentiality(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    change = details.get("confidentiality")
    moved = ""
    if isinstance(change, list) and len(change) == 2:
        moved = f" from {_confidentiality(change[0])} to {_confidentiality(change[1])}"
    others = _changes(details, "confidentiality").replace(": changed", "; also changed")
    return ["Changed the confidentiality of ", *_item_of(event, names), moved + others]


@wording("item.delete", "Deleted an item", "notes")
def _item_delete(event: AuditEvent, names: Names) -> list[Part]:
    level = _confidentiality(_d(event).get("confidentiality"))
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
    removed = _plural(_count(_d(event).get("removed")), "earlier version")
    return [f"Purged {removed} of ", *_item_of(event, names)]


@wording("notes.import", "Imported notes", "notes")
def _notes_import(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    counts = ", ".join(
        [
            f"{_plural(_count(details.get('items_created')), 'item')} added",
            f"{_count(details.get('items_deleted'))} removed",
            f"{_plural(_count(details.get('people_created')), 'person', 'people')} added",
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
    return ["Edited ", names.person(event.target_id), _changes(_d(event))]


@wording("person.link", "Linked a person to an account", "people")
def _person_link(event: AuditEvent, names: Names) -> list[Part]:
    member_id = _d(event).get("member_id")
    if member_id is None:
        return ["Unlinked ", names.person(event.target_id), " from their account"]
    return ["Linked ", names.person(event.target_id), " to the account ", names.member(member_id)]


def _consent(event: AuditEvent, names: Names) -> list[Part]:
    """'to be credited by name and affiliation, to the public, at meeting 3 of …'."""
    details = _d(event)
    level = _lower_first(_enum_label(Level, details.get("level")))
    audience = _lower_first(_enum_label(ConsentAudience, details.get("audience")))
    level = level.replace("anonymous", "anonymously", 1)
    parts: list[Part] = [f" to be credited {level}, to {audience}, "]
    if event.meeting_id is not None:
        return [*parts, "at ", names.meeting(event.meeting_id)]
    if details.get("series_id") is not None:
        return [*parts, "at every meeting of ", names.series_named(details["series_id"])]
    return [*parts, "everywhere"]


@wording("consent.grant", "Recorded consent", "people")
def _consent_grant(event: AuditEvent, names: Names) -> list[Part]:
    previous = _d(event).get("previous_level")
    before = f" (before: {_lower_first(_enum_label(Level, previous))})" if previous else ""
    return ["Recorded consent for ", names.person(event.target_id), *_consent(event, names), before]


@wording("consent.withdraw", "Withdrew consent", "people")
def _consent_withdraw(event: AuditEvent, names: Names) -> list[Part]:
    return ["Withdrew consent for ", names.person(event.target_id), *_consent(event, names)]


# Write-ups, leak check and circulation ---------------------------------------------------


@wording("writeup.save", "Saved a write-up", "publishing")
def _writeup_save(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    state = ", published" if details.get("published") else ", not published"
    items = _plural(_count(details.get("items")), "item")
    return ["Saved the write-up of ", names.meeting(event.meeting_id), f" ({items}{state})"]


@wording("leakcheck.override", "Overrode a leak-check finding", "publishing")
def _override(event: AuditEvent, names: Names) -> list[Part]:
    details = _d(event)
    rule = details.get("rule")
    channel = details.get("channel")
    page = names.meeting_page(event.meeting_id, "leakcheck.page")
    finding = Link(f"a leak-check finding ({rule})" if rule else "a leak-check finding", page)
    where = f" in the {channel} output" if channel else ""
    return ["Overrode ", finding, f"{where} of ", names.meeting(event.meeting_id)]


def _sending(event: AuditEvent) -> str:
    details = _d(event)
    sent, recipients = _count(details.get("sent")), _count(details.get("recipients"))
    parts = [f"sent to {sent} of {recipients}"]
    for key, words in (
        ("failed", "failed"),
        ("uncertain", "uncertain"),
        ("not_attempted", "not yet tried"),
    ):
        if _count(details.get(key)):
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
