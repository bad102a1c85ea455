"""An item whose text would show a reviewer something the leak check's
people rules find about someone else (a withheld person's first name alone,
which ``disclose`` leaves as typed) is held back on the review page and in
the reviewer's API: none of its texts, a notice instead, until a facilitator
fixes it; then it shows."""

from __future__ import annotations

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.models import Item, Meeting
from notesbase.notes import items
from tests.review.review_support import (
    GUEST_EMAIL,
    OWN,
    open_review,
    use_link,
)

SLIP = "Harold was right about the PLANTEDREGISTER."
FIXED = "[Harold]{.confidential} was right about the PLANTEDREGISTER."
NOTICE = "This item is held back while a facilitator checks it"


def add_slip(app, world) -> int:
    """Gwen's own words naming Harold, who released nothing, by his first name."""
    with app.app_context():
        fields = items.ItemFields(Kind.QUOTE, SLIP)
        fields.speaker_id = world["gwen"]
        item = items.create_item(db.session.get(Meeting, world["meeting"]), fields, actor=None)
        db.session.commit()
        return item.id


def fix(app, item_id: int) -> None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        fields = items.ItemFields(item.kind, FIXED, item.section, item.speaker_id)
        items.update_item(item, fields, actor=None)
        db.session.commit()


def test_the_page_holds_back_an_item_naming_someone_else_until_it_is_fixed(app, client, world):
    slip = add_slip(app, world)
    links = open_review(app, client)
    guest = app.test_client()
    page = use_link(guest, links[GUEST_EMAIL]).headers["Location"]
    text = guest.get(page).get_data(as_text=True)
    assert OWN in text  # her other items show as before
    assert NOTICE in text and f'id="item-{slip}"' in text
    assert "Harold" not in text and "PLANTEDREGISTER" not in text
    fix(app, slip)
    text = guest.get(page).get_data(as_text=True)
    assert "PLANTEDREGISTER" in text and "Harold" not in text and NOTICE not in text


def test_the_api_holds_it_back_the_same_way(app, client, world):
    slip = add_slip(app, world)
    secret = open_review(app, client)[GUEST_EMAIL].split("/review/")[1].strip("/")
    started = client.post("/api/v1/review/session", headers={"Review-Link": secret})
    assert started.status_code == 201, started.get_json()
    session = {"Review-Session": started.get_json()["session"]}
    answer = client.get("/api/v1/review/me", headers=session)
    assert answer.status_code == 200
    assert "Harold" not in answer.get_data(as_text=True)
    [held] = [item for item in answer.get_json()["items"] if item["id"] == slip]
    assert held["held"] is True and held["members"] is None and held["own_html"] is None
    assert held["editable"] == ""
    others = [item for item in answer.get_json()["items"] if item["id"] != slip]
    assert others and not any(item["held"] for item in others)
