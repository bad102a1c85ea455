"""A reviewer's requests (a correction, members-only, confidential, removal)
and a facilitator's answer to each. Accepting goes through ``notes.items``,
so every change is a new, audited item version."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from notesbase import audit
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import (
    COMMENT_MAX,
    REASON_MAX,
    Item,
    Member,
    RequestKind,
    RequestStatus,
    Reviewer,
    ReviewRequest,
    utcnow,
)
from notesbase.notes.errors import NotesError
from notesbase.notes.facts import people_mentions
from notesbase.notes.items import BODY_MAX, ItemFields, delete_item, update_item
from notesbase.review.service import ReviewError
from notesbase.review.shown import review_page
from notesbase.text import clean_text


def propose(
    reviewer: Reviewer,
    item: Item,
    kind: RequestKind,
    allowed: tuple[RequestKind, ...],
    *,
    suggested: str = "",
    comment: str = "",
    label: str,
) -> ReviewRequest:
    """Record a request; ``allowed`` is what the reviewer may ask of this item."""
    if kind not in allowed:
        raise ReviewError("You cannot ask that of this item.", 400)
    suggested = clean_text(suggested).strip("\n")
    comment = clean_text(comment).strip()
    if kind is RequestKind.CORRECTION:
        if not suggested.strip():
            raise ReviewError("Write the text as you would have it.", 400)
        if len(suggested) > BODY_MAX:
            raise ReviewError(f"A correction is at most {BODY_MAX:,} characters long.", 400)
    else:
        suggested = ""
    if len(comment) > COMMENT_MAX:
        raise ReviewError(f"A comment is at most {COMMENT_MAX:,} characters long.", 400)
    request = ReviewRequest(
        reviewer_id=reviewer.id,
        item_id=item.id,
        item_version=item.version,
        kind=kind,
        suggested=suggested,
        comment=comment,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "review.request",
        "item",
        item.id,
        actor=None,
        actor_label=label,
        meeting_id=item.meeting_id,
        request_id=request.id,
        kind=kind.value,
        person_id=reviewer.person_id,
        version=item.version,
    )
    return request


def ask(
    reviewer: Reviewer,
    item_id: int,
    kind: RequestKind,
    *,
    suggested: str = "",
    comment: str = "",
    label: str,
) -> ReviewRequest:
    """A request about one of the items the reviewer's page shows them (a
    404 ``ReviewError`` for any other), of a kind they may ask of it."""
    shown = {s.item.id: s for s in review_page(reviewer).items}.get(item_id)
    if shown is None:
        raise ReviewError("That item is not among yours.", 404)
    return propose(
        reviewer, shown.item, kind, shown.kinds, suggested=suggested, comment=comment, label=label
    )


def reason_shown(request: ReviewRequest) -> str:
    """The facilitator's reason as the person who asked may read it: whole
    when it names nobody else, else nothing (fail closed)."""
    if not request.reason:
        return ""
    named = people_mentions(db.session).people_in(request.reason)
    return request.reason if named <= {request.reviewer.person_id} else ""


def is_stale(request: ReviewRequest) -> bool:
    """The item changed (or went) since the reviewer saw it."""
    return request.item is None or request.item.version != request.item_version


def _fields(item: Item, **changes: object) -> ItemFields:
    fields = ItemFields(
        kind=item.kind,
        body=item.body,
        section=item.section,
        speaker_id=item.speaker_id,
        confidentiality=item.confidentiality,
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    return fields


def accept(request: ReviewRequest, *, actor: Member) -> None:
    """Apply the request to the item: a new version (or its deletion)."""
    _check_open(request)
    item = request.item
    if item is None:
        raise ReviewError("The item has been deleted: reject the request instead.")
    try:
        if request.kind is RequestKind.CORRECTION:
            update_item(item, _fields(item, body=request.suggested), actor=actor)
        elif request.kind is RequestKind.MEMBERS_ONLY:
            if item.confidentiality is Confidentiality.OPEN:
                update_item(
                    item, _fields(item, confidentiality=Confidentiality.MEMBERS), actor=actor
                )
        elif request.kind is RequestKind.CONFIDENTIAL:
            update_item(
                item, _fields(item, confidentiality=Confidentiality.CONFIDENTIAL), actor=actor
            )
        else:
            delete_item(item, actor=actor)
    except NotesError as error:
        raise ReviewError(error.message, 400) from None
    _resolve(request, RequestStatus.ACCEPTED, "", actor)


def reject(request: ReviewRequest, reason: str, *, actor: Member) -> None:
    _check_open(request)
    reason = clean_text(reason).strip()
    if not reason:
        raise ReviewError("Give the reason, for the person who asked.", 400)
    if len(reason) > REASON_MAX:
        raise ReviewError(f"A reason is at most {REASON_MAX:,} characters long.", 400)
    _resolve(request, RequestStatus.REJECTED, reason, actor)


def _check_open(request: ReviewRequest) -> None:
    if request.status is not RequestStatus.OPEN:
        raise ReviewError("This request has already been answered.")


def _resolve(request: ReviewRequest, status: RequestStatus, reason: str, actor: Member) -> None:
    request.status = status
    request.reason = reason
    request.resolved_at = utcnow()
    request.resolved_by_id = actor.id
    meeting_id = request.reviewer.round.meeting_id
    db.session.flush()
    audit.record(
        f"review.{'accept' if status is RequestStatus.ACCEPTED else 'reject'}",
        "item",
        request.item_id,
        actor=actor,
        meeting_id=meeting_id,
        request_id=request.id,
        kind=request.kind.value,
        person_id=request.reviewer.person_id,
    )


@dataclass(frozen=True)
class Diff:
    html: Markup
    changed: bool


_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> Diff:
    """``after`` against ``before`` word by word, as <del> and <ins>, escaped."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    parts: list[Markup] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(Markup("<del>{}</del>").format("".join(old[a1:a2])))
        if b2 > b1:
            space = Markup(" ") if a2 > a1 else Markup("")
            parts.append(space + Markup("<ins>{}</ins>").format("".join(new[b1:b2])))
    return Diff(Markup("").join(parts), before != after)
