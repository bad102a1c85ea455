"""A published write-up is a snapshot read under live consent: an item
edited after publishing does not change what the public reads until a
facilitator publishes again (and the write-up page says so); a withdrawal
still takes effect on the next request, and a rendering the leak check
finds something in is withheld from every public channel until it is
published again."""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.models import AuditEvent, Item, Person, WriteupSnapshot
from notesbase.notes import items, people
from tests.publishing.writeups.writeup_channels_support import (
    assert_clean_or_nothing,
    public_channels,
)
from tests.publishing.writeups.writeup_support import (
    CONFIDENTIAL,
    EDIT,
    PUBLIC,
    facilitator_fixture,  # noqa: F401 - a fixture
    load_meeting,
    patch_item,
    publish,
    save,
    world_fixture,  # noqa: F401 - a fixture
    writeup_row,
)

RONAN = "Ronan Tallowby"
RONAN_SAID = "Ronan explained the budget timetable."


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_item_edited_after_publishing_does_not_drift(app, client, world, facilitator):
    """What was seen: confidential words PATCHed into an included item
    reached the page, the API, the feed and search at once. Now every public
    channel keeps the published text, the write-up page tells facilitators
    a newer version exists, and publishing it again is refused by the leak
    check (the public keeps the published text)."""
    save(facilitator, "Clean summary.", [world["quote"]])
    assert publish(facilitator).status_code == 302
    response = patch_item(client, world, world["quote"], f"Publish the data openly. {CONFIDENTIAL}")
    assert response.status_code == 200, response.get_data(as_text=True)

    shown = public_channels(app, client, facilitator, ["PLANTEDCONFIDENTIAL", "openly"])
    assert_clean_or_nothing(shown, [CONFIDENTIAL, "PLANTEDCONFIDENTIAL"])
    for channel in ("page", "api", "/writeups.atom", "search openly", "markdown"):
        assert shown[channel] is not None, channel
    assert "Publish the data openly." in shown["page"]

    page = unescape(facilitator.get(EDIT).get_data(as_text=True))
    assert "republish to include" in page
    assert "the public reads version 1; the notes have version 2" in page

    assert publish(facilitator).status_code == 409
    shown = public_channels(app, client, facilitator, ["PLANTEDCONFIDENTIAL"])
    assert_clean_or_nothing(shown, [CONFIDENTIAL, "PLANTEDCONFIDENTIAL"])
    assert shown["page"] is not None


def test_publishing_again_takes_the_newer_version(app, client, world, facilitator):
    """A harmless edit waits for publishing again, then shows."""
    save(facilitator, "Summary.", [world["quote"]])
    publish(facilitator)
    patch_item(client, world, world["quote"], "Publish the data openly, and soon.")
    assert "and soon" not in client.get(PUBLIC).get_data(as_text=True)
    assert publish(facilitator).status_code == 302
    assert "and soon" in client.get(PUBLIC).get_data(as_text=True)
    assert "republish to include" not in facilitator.get(EDIT).get_data(as_text=True)


@pytest.fixture
def ronan(app, world):
    """Ronan, named to the public, said an item that carries his first name;
    it is published in the write-up."""
    with app.app_context():
        person = people.create_person(people.PersonFields(RONAN, "Tallow Works"), actor=None)
        grants.grant(person, ConsentAudience.PUBLIC, Level.NAMED, grants.Scope(), actor=None)
        fields = items.ItemFields(Kind.POINT, RONAN_SAID, "Money", speaker_id=person.id)
        item = items.create_item(load_meeting(), fields, actor=None)
        db.session.commit()
        return {"person": person.id, "item": item.id}


def test_a_withdrawal_withholds_the_first_name(app, client, world, facilitator, ronan):
    """What was seen: after the speaker withdrew their public consent, the
    item still read "Ronan explained ..." and search found "Ronan". Now the
    withdrawal re-checks the write-up in the same transaction and withholds
    it from every public channel; facilitators are emailed and see why; the
    audit log records it; fixing the item and publishing again lifts it."""
    save(facilitator, "We met.", [world["quote"], ronan["item"]])
    assert publish(facilitator).status_code == 302
    assert RONAN in client.get(PUBLIC).get_data(as_text=True)

    with app.app_context():
        grants.withdraw_all(db.session.get(Person, ronan["person"]), actor=None)
        db.session.commit()
        # Withheld in the same transaction as the withdrawal.
        snapshot = db.session.scalar(sa.select(WriteupSnapshot))
        assert snapshot.withheld_at is not None and snapshot.withheld_findings >= 1

    # Before the index catches up, and after.
    for index in (False, True):
        shown = public_channels(
            app, client, facilitator, ["Ronan", "timetable", "openly"], index=index
        )
        assert set(shown.values()) == {None}, shown
    assert "writeup.withhold" in audit_actions(app)

    outbox = list(
        (app.instance_path and __import__("pathlib").Path(app.instance_path) / "outbox").glob(
            "*.eml"
        )
    )
    assert outbox, "facilitators were not emailed"
    message = outbox[0].read_text()
    assert "Withheld" in message and "Ronan" not in message and "Tallow" not in message

    page = unescape(facilitator.get(EDIT).get_data(as_text=True))
    assert "Withheld from the public" in page
    assert "Ronan" in page  # the facilitator sees what was found

    with app.app_context():
        item = db.session.get(Item, ronan["item"])
        fields = items.ItemFields(
            item.kind, "Someone explained the budget timetable.", item.section
        )
        fields.speaker_id = item.speaker_id
        items.update_item(item, fields, actor=None)
        db.session.commit()
    assert publish(facilitator).status_code == 302
    shown = public_channels(app, client, facilitator, ["timetable"])
    assert shown["page"] is not None and shown["search timetable"] is not None
    assert_clean_or_nothing(shown, ["Ronan", "Tallowby", "Tallow Works"])
    assert writeup_row(app).published_at is not None


def test_purging_earlier_versions_drops_them_from_the_snapshot(app, client, world, facilitator):
    """A version purged for good leaves no copy in the published snapshot."""
    save(facilitator, "Summary.", [world["quote"]])
    publish(facilitator)
    patch_item(client, world, world["quote"], "A new wording.")
    with app.app_context():
        items.purge_history(db.session.get(Item, world["quote"]), actor=None)
        db.session.commit()
        assert db.session.scalar(sa.select(WriteupSnapshot)).items == []
    assert "Publish the data openly." not in client.get(PUBLIC).get_data(as_text=True)


def test_unpublishing_drops_the_snapshot(app, client, world, facilitator):
    save(facilitator, "Summary.", [world["quote"]])
    publish(facilitator)
    facilitator_page = facilitator.get(EDIT)
    assert facilitator_page.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(WriteupSnapshot)) is not None
    from tests.conftest import post_form
    from tests.publishing.writeups.writeup_support import UNPUBLISH

    post_form(facilitator, UNPUBLISH, {}, page=EDIT)
    with app.app_context():
        assert db.session.scalar(sa.select(WriteupSnapshot)) is None
