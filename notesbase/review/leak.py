"""The leak check's findings from reviews: an item someone asked, in a
review, to make members-only or confidential, or to remove their words
from, is a finding in every channel whose audience would still read it,
until a facilitator accepts or declines the request (or overrides the
finding with a reason)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Audience, ItemFacts
from notesbase.models import RequestKind, RequestStatus, ReviewRequest
from notesbase.publishing.leakcheck.check import ItemHit

RULE = "review-request"
# The audiences each kind of request would keep the item from.
KEEPS_FROM = {
    RequestKind.MEMBERS_ONLY: {Audience.PUBLIC},
    RequestKind.CONFIDENTIAL: {Audience.PUBLIC, Audience.MEMBER},
    RequestKind.REMOVE: {Audience.PUBLIC, Audience.MEMBER},
}
WHY = (
    "Someone recorded in this item asked, in the review, to {asked}; "
    "nobody has answered yet. Accept or decline it on the review board."
)


def open_restrictions(
    sources: Sequence[tuple[str, ItemFacts]], audience: Audience
) -> Iterator[ItemHit]:
    """A finding per unanswered request to keep an item the channel shows
    from ``audience``."""
    shown = {
        facts.id: where
        for where, facts in sources
        if facts.id > 0 and facts.confidentiality.visible_to(audience)
    }
    if not shown or audience is Audience.FACILITATOR:
        return
    requests = db.session.scalars(
        sa.select(ReviewRequest)
        .where(
            ReviewRequest.item_id.in_(sorted(shown)),
            ReviewRequest.status == RequestStatus.OPEN,
            ReviewRequest.kind.in_(list(KEEPS_FROM)),
        )
        .order_by(ReviewRequest.id)
    )
    for request in requests:
        if audience not in KEEPS_FROM[request.kind] or request.item_id is None:
            continue
        asked = request.kind.label.lower().replace("my words", "their words")
        yield ItemHit(RULE, shown[request.item_id], request.kind.label, WHY.format(asked=asked))
