"""Every audit action in words: a short name for the filter ("Signed in")
and a sentence for each event ("Withdrew consent for Jane Doe to be credited
by name and affiliation, to members of the series, everywhere").

``WORDINGS`` words each of ``notesbase.audit.ACTIONS``; a test keeps the two
equal, so no action can be recorded without a wording. The machinery is in
``audit_wording``; sign-ins, accounts and invitations are worded here, the
notes, people and publishing in ``audit_words_notes``. A sentence is a list
of parts, plain text or a ``Link``, so the template escapes every name.
Details are read defensively: an older event may lack one."""

from __future__ import annotations

from notesbase.admin import (
    audit_words_notes,
    audit_words_privacy_access,
    audit_words_privacy_erasure,
    audit_words_privacy_retention,
    audit_words_review,
)
from notesbase.admin.audit_names import Names
from notesbase.admin.audit_wording import (
    GROUPS,
    WORDINGS,
    Part,
    circumstances,
    count,
    details_of,
    enum_label,
    listed,
    plural,
    wording,
)
from notesbase.models import AuditEvent, Role

__all__ = [
    "GROUPS",
    "WORDINGS",
    "Part",
    "audit_words_notes",
    "audit_words_privacy_access",
    "audit_words_privacy_erasure",
    "audit_words_privacy_retention",
    "audit_words_review",
    "sentence",
]


def sentence(event: AuditEvent, names: Names) -> list[Part]:
    """The event in words; an action this version no longer records keeps its code."""
    found = WORDINGS.get(event.action)
    if found is None:
        return [f"Recorded “{event.action}”"]
    return found.say(event, names)


# Signing in and out -------------------------------------------------------------


@wording("account.login.failed", "Failed to sign in", "logins")
def _login_failed(event: AuditEvent, names: Names) -> list[Part]:
    reason = details_of(event).get("reason") or "refused"
    if event.target_id is None:
        return [f"Failed to sign in with an email that has no account{circumstances(event)}"]
    who = names.member(event.target_id)
    return ["Failed to sign in as ", who, f": {reason}{circumstances(event)}"]


@wording("account.login.throttled", "Turned away for too many sign-ins", "logins")
def _login_throttled(event: AuditEvent, names: Names) -> list[Part]:
    tail = circumstances(event)
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
    details = details_of(event)
    role = enum_label(Role, details.get("role", "member")).lower()
    via = " from an invitation" if details.get("via") == "invitation" else ""
    parts: list[Part] = ["Created the account ", names.member(event.target_id), f"{via}, as {role}"]
    series = listed(names, details.get("series"))
    return parts + ([" in ", *series] if series else [", in no series"])


@wording("account.role", "Changed a role", "accounts")
def _account_role(event: AuditEvent, names: Names) -> list[Part]:
    old = enum_label(Role, details_of(event).get("old")).lower()
    new = enum_label(Role, details_of(event).get("new")).lower()
    return ["Changed the role of ", names.member(event.target_id), f" from {old} to {new}"]


@wording("account.series", "Changed someone's series", "accounts")
def _account_series(event: AuditEvent, names: Names) -> list[Part]:
    parts: list[Part] = ["Changed the series of ", names.member(event.target_id)]
    added = listed(names, details_of(event).get("added"))
    removed = listed(names, details_of(event).get("removed"))
    if added:
        parts += [": added ", *added]
    if removed:
        parts += ["; removed " if added else ": removed ", *removed]
    return parts


@wording("account.deactivate", "Deactivated an account", "accounts")
def _deactivate(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    sessions = plural(count(details.get("sessions_ended")), "login session")
    tokens = plural(count(details.get("tokens_revoked")), "API token")
    who = names.member(event.target_id)
    return ["Deactivated ", who, f", ending {sessions} and revoking {tokens}"]


@wording("series.add_member", "Added someone to a series", "accounts")
def _series_add(event: AuditEvent, names: Names) -> list[Part]:
    series = names.series_named(details_of(event).get("series_id"))
    return ["Added ", names.member(event.target_id), " to ", series]


@wording("token.create", "Created an API token", "accounts")
def _token_create(event: AuditEvent, names: Names) -> list[Part]:
    token = details_of(event).get("token_id")
    return [f"Created API token #{token} for ", names.member(event.target_id)]


@wording("token.revoke", "Revoked an API token", "accounts")
def _token_revoke(event: AuditEvent, names: Names) -> list[Part]:
    token = details_of(event).get("token_id")
    reason = details_of(event).get("reason")
    why = " when the account was deactivated" if reason == "account.deactivate" else ""
    return [f"Revoked API token #{token} of ", names.member(event.target_id), why]


# Invitations ----------------------------------------------------------------------


@wording("account.invite.create", "Invited someone", "invitations")
def _invite(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    role = enum_label(Role, details.get("role", "member")).lower()
    parts: list[Part] = ["Invited ", names.invite(event.target_id), f" as {role}"]
    series = listed(names, details.get("series"))
    parts += [" to ", *series] if series else [", to no series"]
    withdrawn = count(details.get("earlier_withdrawn"))
    if withdrawn:
        parts.append(f" (withdrawing {plural(withdrawn, 'earlier invitation')})")
    return parts
