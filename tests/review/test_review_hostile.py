"""The review page and the review emails join the hostile-spelling corpus:
forty disguised spellings of Harold's withheld name, surname and
affiliation, typed into Gwen's own items and a facilitator's reason, can
never be read in what Gwen receives (not in the facilitators' text of her
own words either: it is shown whole only when nobody else is in it)."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Meeting, Person, ReviewRequest
from notesbase.notes import items
from tests.hostile.spellings_support import corpus, survivors
from tests.review.review_support import (
    BOARD,
    GUEST_EMAIL,
    HIDDEN,
    HIDDEN_EMAIL,
    HIDDEN_ORG,
    open_review,
    outbox,
    post,
    use_link,
    whole_text,
)

TERMS = {"name": HIDDEN, "surname": HIDDEN.split()[1], "affiliation": HIDDEN_ORG}
WITHHELD = [HIDDEN, HIDDEN.split()[1], HIDDEN_ORG, HIDDEN_EMAIL]


def _read(page: str) -> str:
    """The page's text and attribute values, as a reader (or a program) gets them."""
    return html.unescape(re.sub(r"<[^>]*?(?:\"([^\"]*)\")?[^>]*>", r" \1 ", page))


def test_no_hostile_spelling_reaches_the_reviewer(app, client, world):
    spellings = corpus(TERMS, 40, seed=22)
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        gwen = db.session.get(Person, world["gwen"])
        for n in range(0, len(spellings), 4):
            body = " ".join(
                f"Point {n + i}: {s.text} said so." for i, s in enumerate(spellings[n : n + 4])
            )
            fields = items.ItemFields(Kind.QUOTE, f"My words. {body}", speaker_id=gwen.id)
            items.create_item(meeting, fields, actor=None)
        db.session.commit()
    links = open_review(app, client)
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    shown = guest.get(page).get_data(as_text=True)
    assert shown.count("My words.") >= 10
    assert survivors(_read(shown), WITHHELD) == []

    post(guest, page + "/request", {"item": world["own"], "kind": "members_only"}, page=page)
    with app.app_context():
        request_id = db.session.scalar(sa.select(ReviewRequest.id))
    reason = "Because " + " and ".join(s.text for s in spellings[:5])
    before = len(outbox(app))
    post(client, f"{BOARD}/requests/{request_id}/reject", {"reason": reason})
    for message in [m for m in outbox(app) if m["To"].addresses[0].addr_spec == GUEST_EMAIL]:
        assert survivors(whole_text(message), WITHHELD) == []
    assert len(outbox(app)) == before + 1
    assert survivors(_read(guest.get(page).get_data(as_text=True)), WITHHELD) == []
