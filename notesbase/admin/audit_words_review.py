"""Audit events of review rounds (the agreed record), in words (registered
in ``audit_wording.WORDINGS``; ``audit_words`` gathers them). A reviewer
acts through their link, so the actor column names the person's link."""

from __future__ import annotations

from notesbase.admin.audit_names import Link, Names
from notesbase.admin.audit_wording import Part, count, details_of, plural, wording
from notesbase.models import AuditEvent, RequestKind


def _review(event: AuditEvent, names: Names) -> list[Part]:
    """'the review of meeting 8 of …', linked to its board."""
    board = names.meeting_page(event.meeting_id, "review.board")
    return [Link("the review", board), " of ", names.meeting(event.meeting_id)]


ASKED = {
    RequestKind.CORRECTION.value: "correct the text of",
    RequestKind.MEMBERS_ONLY.value: "make members-only",
    RequestKind.CONFIDENTIAL.value: "make confidential",
    RequestKind.REMOVE.value: "remove their words from",
}


def _asked(event: AuditEvent) -> str:
    return ASKED.get(str(details_of(event).get("kind")), "change")


@wording("review.create", "Prepared a review", "review")
def _create(event: AuditEvent, names: Names) -> list[Part]:
    return ["Prepared ", *_review(event, names)]


@wording("review.start", "Sent the review links", "review")
def _start(event: AuditEvent, names: Names) -> list[Part]:
    asked = plural(count(details_of(event).get("reviewers")), "person", "people")
    return ["Opened ", *_review(event, names), f", asking {asked}"]


@wording("review.link", "Sent a new review link", "review")
def _link(event: AuditEvent, names: Names) -> list[Part]:
    return ["Sent a new link to ", names.person(event.target_id), " for ", *_review(event, names)]


@wording("review.revoke", "Revoked a review link", "review")
def _revoke(event: AuditEvent, names: Names) -> list[Part]:
    return ["Revoked the link of ", names.person(event.target_id), " to ", *_review(event, names)]


@wording("review.sign_in", "Opened a review link", "review")
def _sign_in(event: AuditEvent, names: Names) -> list[Part]:
    return ["Opened the link of ", names.person(event.target_id), " to ", *_review(event, names)]


@wording("review.approve", "Approved the record", "review")
def _approve(event: AuditEvent, names: Names) -> list[Part]:
    agreed = ": everyone asked has now approved" if details_of(event).get("agreed") else ""
    return [
        "Approved the record, as ",
        names.person(event.target_id),
        ", in ",
        *_review(event, names),
        agreed,
    ]


@wording("review.request", "Asked for a change in a review", "review")
def _request(event: AuditEvent, names: Names) -> list[Part]:
    who = names.person(details_of(event).get("person_id"))
    return [
        "Asked, as ",
        who,
        f", to {_asked(event)} ",
        names.item(event.target_id),
        " in ",
        *_review(event, names),
    ]


@wording("review.accept", "Accepted a review request", "review")
def _accept(event: AuditEvent, names: Names) -> list[Part]:
    who = names.person(details_of(event).get("person_id"))
    return [
        "Accepted the request of ",
        who,
        f" to {_asked(event)} ",
        names.item(event.target_id),
    ]


@wording("review.reject", "Declined a review request", "review")
def _reject(event: AuditEvent, names: Names) -> list[Part]:
    who = names.person(details_of(event).get("person_id"))
    return [
        "Declined the request of ",
        who,
        f" to {_asked(event)} ",
        names.item(event.target_id),
    ]


@wording("review.remind", "Sent review reminders", "review")
def _remind(event: AuditEvent, names: Names) -> list[Part]:
    sent = plural(count(details_of(event).get("sent")), "reminder")
    return ["Sent ", sent, " for ", *_review(event, names)]


@wording("review.close", "Closed a review", "review")
def _close(event: AuditEvent, names: Names) -> list[Part]:
    return ["Closed ", *_review(event, names)]
