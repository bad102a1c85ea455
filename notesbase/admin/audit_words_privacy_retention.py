"""Audit events of retention schedules, in words (registered in
``audit_wording.WORDINGS``; ``audit_words`` gathers them)."""

from __future__ import annotations

from typing import Any

from notesbase.admin.audit_names import Names
from notesbase.admin.audit_wording import Part, count, details_of, wording
from notesbase.models import AuditEvent, RetentionAction

# A count recorded by ``meeting.retention`` -> its words.
COUNTED = {
    "items_purged": ("item purged", "items purged"),
    "items_rewritten": ("item rewritten", "items rewritten"),
    "versions_purged": ("earlier version purged", "earlier versions purged"),
    "speakers_unlinked": ("speaker unlinked", "speakers unlinked"),
    "texts_rewritten": ("text without its people", "texts without their people"),
    "consents_removed": ("meeting consent removed", "meeting consents removed"),
    "reviewers_removed": ("reviewer removed", "reviewers removed"),
    "review_rounds_removed": ("review round removed", "review rounds removed"),
    "review_texts_removed": ("review request emptied", "review requests emptied"),
    "override_reasons_removed": ("override reason removed", "override reasons removed"),
    "made_confidential": ("item made confidential", "items made confidential"),
}


def _schedule(months: Any, action: Any) -> str:
    if not isinstance(months, int) or isinstance(months, bool):
        return "keep until changed"
    try:
        label = RetentionAction(str(action)).label.lower()
    except ValueError:
        label = str(action)
    return f"{months} month{'s' if months != 1 else ''}, then {label}"


def _pair(value: Any) -> tuple[Any, Any]:
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, None


@wording("series.retention", "Changed a retention schedule", "privacy")
def _series_retention(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    old_months, new_months = _pair(details.get("months"))
    old_action, new_action = _pair(details.get("retention"))
    return [
        "Set the retention schedule of ",
        names.series_named(event.target_id),
        f" to {_schedule(new_months, new_action)} (was {_schedule(old_months, old_action)})",
    ]


@wording("meeting.retention", "Carried out a retention schedule", "privacy")
def _meeting_retention(event: AuditEvent, names: Names) -> list[Part]:
    details = details_of(event)
    try:
        label = RetentionAction(str(details.get("retention"))).label.lower()
    except ValueError:
        label = "its retention action"
    done = [
        f"{count(details.get(key))} {one if count(details.get(key)) == 1 else many}"
        for key, (one, many) in COUNTED.items()
        if count(details.get(key))
    ]
    tail = f": {', '.join(done)}" if done else ": nothing was left to change"
    return ["Carried out ", label, " on ", names.meeting(event.meeting_id), tail]
