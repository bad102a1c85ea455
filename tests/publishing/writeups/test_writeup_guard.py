"""Every kind of change that can alter a published write-up is re-checked
in its own transaction: after each, on every public channel (the page, the
API, both Atom feeds, public search and the Markdown page), the public sees
either a clean rendering or nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Item, Person, WriteupSnapshot
from notesbase.notes import items, people
from tests.publishing.writeups.writeup_channels_support import (
    assert_clean_or_nothing,
    public_channels,
)
from tests.publishing.writeups.writeup_support import (
    CONFIDENTIAL,
    HIDDEN,
    NAMED,
    build_world,
    load_meeting,
    log_in,
    patch_item,
    publish,
    save,
)

SUMMARY = (
    "We thanked Marigold Pennywhistle for hosting. Staff of Brambleford Council came, "
    "with the lighthouse keeper of Saltmarsh; write to zed@hiddenhouse.example."
)
RONAN = "Ronan Tallowby"


@pytest.fixture
def world(app, make_member, make_series):
    world = build_world(app, make_member, make_series)
    with app.app_context():
        ronan = people.create_person(people.PersonFields(RONAN, "Tallow Works"), actor=None)
        grants.grant(ronan, ConsentAudience.PUBLIC, Level.NAMED, grants.Scope(), actor=None)
        fields = items.ItemFields(Kind.POINT, "Ronan explained the timetable.", "Money")
        fields.speaker_id = ronan.id
        world["ronan_item"] = items.create_item(load_meeting(), fields, actor=None).id
        world["ronan"] = ronan.id
        db.session.commit()
    return world


@pytest.fixture
def facilitator(app, world):
    client = app.test_client()
    log_in(client, "facilitator@example.org")
    return client


def _zed() -> Person:
    return db.session.scalar(sa.select(Person).where(Person.name == HIDDEN))


def _person_update(**changes: str) -> Callable[[Any, Any, dict], None]:
    def change(app: Any, _client: Any, _world: dict) -> None:
        with app.app_context():
            zed = _zed()
            fields = people.PersonFields(zed.name, zed.affiliation, zed.descriptor, zed.email)
            for name, value in changes.items():
                setattr(fields, name, value)
            people.update_person(zed, fields, actor=None)
            db.session.commit()

    return change


def patch_confidential(app: Any, client: Any, world: dict) -> None:
    response = patch_item(client, world, world["quote"], f"Now: {CONFIDENTIAL}")
    assert response.status_code == 200


def withdraw_ronan(app: Any, _client: Any, world: dict) -> None:
    with app.app_context():
        grants.withdraw_all(db.session.get(Person, world["ronan"]), actor=None)
        db.session.commit()


def new_person(app: Any, _client: Any, _world: dict) -> None:
    with app.app_context():
        people.create_person(people.PersonFields("Marigold Pennywhistle", "Whistle Co"), actor=None)
        db.session.commit()


def _confidential(app: Any, world: dict) -> None:
    item = db.session.get(Item, world["quote"])
    fields = items.ItemFields(item.kind, item.body, item.section, item.speaker_id)
    fields.confidentiality = Confidentiality.CONFIDENTIAL
    items.update_item(item, fields, actor=None)


def make_confidential(app: Any, _client: Any, world: dict) -> None:
    with app.app_context():
        _confidential(app, world)
        db.session.commit()


def purge(app: Any, _client: Any, world: dict) -> None:
    with app.app_context():
        _confidential(app, world)
        db.session.commit()
        items.purge_item(db.session.get(Item, world["quote"]), actor=None)
        db.session.commit()


# (change, what the public must not read afterwards, words to search for)
CHANGES = {
    "patch an item with confidential words": (
        patch_confidential,
        [CONFIDENTIAL, "PLANTEDCONFIDENTIAL"],
        ["PLANTEDCONFIDENTIAL"],
    ),
    "withdraw a speaker named by first name": (
        withdraw_ronan,
        ["Ronan", "Tallowby", "Tallow Works"],
        ["Ronan", "timetable"],
    ),
    "rename a person": (
        _person_update(name="Zebedee Otherwise"),
        ["Hiddenname", "Zebedee", "Otherwise"],
        ["Hiddenname", "Zebedee"],
    ),
    "add a person the snapshot names": (
        new_person,
        ["Pennywhistle", "Marigold"],
        ["Pennywhistle"],
    ),
    "change an affiliation": (
        _person_update(affiliation="Brambleford Council"),
        ["Brambleford", "Hiddenhouse"],
        ["Brambleford"],
    ),
    "change a descriptor": (
        _person_update(descriptor="the lighthouse keeper of Saltmarsh"),
        ["lighthouse keeper", "Saltmarsh"],
        ["Saltmarsh"],
    ),
    "change an email": (
        _person_update(email="zed@hiddenhouse.example"),
        ["zed@hiddenhouse.example"],
        ["hiddenhouse"],
    ),
    "make an item confidential": (
        make_confidential,
        ["Publish the data openly"],
        ["openly"],
    ),
    "purge an item": (purge, ["Publish the data openly"], ["openly"]),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_every_change_leaves_a_clean_rendering_or_nothing(app, client, world, facilitator, name):
    """After each kind of change to what a published write-up is made of,
    every public channel is clean of what the public may no longer read
    (before the index catches up, and after), or shows nothing of it."""
    change, forbidden, words = CHANGES[name]
    save(facilitator, SUMMARY, [world["quote"], world["mention"], world["ronan_item"]])
    assert publish(facilitator).status_code == 302, "the write-up should publish clean"
    before = public_channels(app, client, facilitator, words)
    assert before["page"] is not None

    change(app, client, world)

    for index in (False, True):
        shown = public_channels(app, client, facilitator, words, index=index)
        assert_clean_or_nothing(shown, forbidden)
        if shown["page"] is None:  # withheld: gone from every channel at once
            assert set(shown.values()) == {None}, shown


def test_a_consent_change_checks_only_the_write_ups_naming_the_person(
    app, client, world, facilitator, monkeypatch
):
    """A withdrawal re-checks the write-ups whose snapshot names or credits
    the person, not every write-up."""
    from notesbase.publishing.writeups import guard as writeup_guard

    save(facilitator, "Summary.", [world["quote"]])
    publish(facilitator)
    checked: list[int] = []
    original = writeup_guard._standing

    def counting(writeup, former):
        checked.append(writeup.meeting_id)
        return original(writeup, former)

    monkeypatch.setattr(writeup_guard, "_standing", counting)
    withdraw_ronan(app, client, world)  # Ronan is not in this write-up
    assert checked == []
    with app.app_context():
        perpetua = db.session.scalar(sa.select(Person).where(Person.name == NAMED))
        grants.withdraw_all(perpetua, actor=None)
        db.session.commit()
        assert checked == [load_meeting().id]
        assert db.session.scalar(sa.select(WriteupSnapshot)).withheld_at is None
