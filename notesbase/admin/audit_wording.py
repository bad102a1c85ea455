"""The machinery that words audit events (``audit_words``): the groups the
filter offers, the registry ``WORDINGS`` that each action's sentence is
added to (``wording``, ``plain``), the actions said in fixed words, and the
helpers that read an event's details defensively (an older event may lack
one). A sentence is a list of parts, plain text or a ``Link``, so the
template escapes every name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notesbase.admin.audit_names import Link, Names
from notesbase.models import AuditEvent

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
    "review": "Review rounds",
    "privacy": "Data protection",
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
        tail = after + (if_any(event, *counted) if counted else "")
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


# Reading details --------------------------------------------------------------


def details_of(event: AuditEvent) -> dict[str, Any]:
    return event.details if isinstance(event.details, dict) else {}


def count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def if_any(event: AuditEvent, key: str, word: str, template: str) -> str:
    """``template`` with the count of ``key`` in words, or nothing when there are none."""
    n = count(details_of(event).get(key))
    return template.format(plural(n, word)) if n else ""


def enum_label(enum: Any, value: Any) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


def listed(names: Names, slugs: Any) -> list[Part]:
    """Series slugs as linked names, comma separated."""
    parts: list[Part] = []
    for index, slug in enumerate(slugs if isinstance(slugs, list) else []):
        parts += [", "] if index else []
        parts.append(names.series_named(slug))
    return parts


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def circumstances(event: AuditEvent) -> str:
    """' (the per email limit, from 192.0.2.1)' for a refused sign-in."""
    details = details_of(event)
    said = [f"the {details['limit']} limit"] if details.get("limit") else []
    said += [f"from {details['address']}"] if details.get("address") else []
    return f" ({', '.join(said)})" if said else ""
