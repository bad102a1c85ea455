"""Support for the leak-check tests (no tests here): a meeting with people,
consents, confidential items and redacted spans, throwaway leak-check
channels whose output a test writes itself, and every kind of change to
the notes a kept reading or result must not outlive (``CHANGES``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Audience, Confidentiality, ConsentAudience, Kind, Level
from notesbase.models import Item, Meeting, Person, Series
from notesbase.notes.items import ItemFields, create_item, update_item
from notesbase.notes.people import PersonFields, create_person, update_person
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.check import Field

PUBLIC_CHANNEL = "leaktest-public"
MEMBER_CHANNEL = "leaktest-member"
MERGER = "The merger with Northwind Holdings is off until September"
NIGHTINGALE = "Project Nightingale"
CHARTER = "the council draft charter on data sharing"
BUDGET = "Budget for 2026 is frozen until the spending review concludes"

# What the test channels output: tests set ``OUTPUT[channel]``.
OUTPUT: dict[str, list[Field]] = {}


def _fields(channel: str):  # type: ignore[no-untyped-def]
    def fields(meeting: Meeting) -> list[Field]:
        return list(OUTPUT.get(channel, []))

    return fields


@pytest.fixture(name="channels")
def channels_fixture() -> Iterator[dict[str, list[Field]]]:
    """Two throwaway channels (public, member) writing ``OUTPUT``; removed after."""
    leakcheck.register_channel(PUBLIC_CHANNEL, Audience.PUBLIC, _fields(PUBLIC_CHANNEL), "Test P")
    leakcheck.register_channel(MEMBER_CHANNEL, Audience.MEMBER, _fields(MEMBER_CHANNEL), "Test M")
    OUTPUT.clear()
    yield OUTPUT
    OUTPUT.clear()
    leakcheck.CHANNELS.pop(PUBLIC_CHANNEL, None)
    leakcheck.CHANNELS.pop(MEMBER_CHANNEL, None)


@pytest.fixture(name="world")
def world_fixture(app, make_series) -> dict[str, int]:
    """Series 'cop', meeting 1. Alex Smith (anonymous everywhere), Renée
    Dubois (affiliation released to members), Priya Raman (named to members
    only), Will Bell (anonymous: his names are everyday words). Items: open,
    members-only, confidential, and open ones with redacted spans."""
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        meeting = Meeting(series=series, number=1, title="Open data", date=date(2025, 1, 15))
        db.session.add(meeting)
        db.session.flush()
        alex = create_person(
            PersonFields(
                "Alex Smith", "Acme Analytics", "a local authority data lead", "alex@example.org"
            ),
            actor=None,
        )
        renee = create_person(PersonFields("Renée Dubois", "Ministère du Numérique"), actor=None)
        priya = create_person(PersonFields("Priya Raman", "Open Data Leeds"), actor=None)
        will = create_person(PersonFields("Will Bell", "Bell Labs"), actor=None)
        grants.grant(renee, ConsentAudience.MEMBER, Level.AFFILIATION, Scope(), actor=None)
        grants.grant(priya, ConsentAudience.MEMBER, Level.NAMED, Scope(series), actor=None)
        for kind, body, confidentiality, speaker in (
            (Kind.POINT, "We should publish the register.", Confidentiality.OPEN, alex),
            (Kind.DECISION, BUDGET, Confidentiality.MEMBERS, priya),
            (Kind.POINT, MERGER, Confidentiality.CONFIDENTIAL, renee),
            (
                Kind.POINT,
                f"[{NIGHTINGALE}]{{.confidential}} starts in the spring.",
                Confidentiality.OPEN,
                priya,
            ),
            (
                Kind.POINT,
                f"They shared [{CHARTER}]{{.members}} with everyone.",
                Confidentiality.OPEN,
                will,
            ),
        ):
            fields = ItemFields(kind, body, "Discussion", speaker.id, confidentiality)
            create_item(meeting, fields, actor=None)
        db.session.commit()
        return {
            "meeting": meeting.id,
            "alex": alex.id,
            "renee": renee.id,
            "priya": priya.id,
            "will": will.id,
        }


def the_meeting() -> Meeting:
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
    assert meeting is not None
    return meeting


def run_check(channel: str, *texts: str, where: str = "body") -> leakcheck.LeakReport:
    """Set the channel's output to ``texts`` (one field each) and check it."""
    OUTPUT[channel] = [
        Field(where if len(texts) == 1 else f"{where} {n}", text) for n, text in enumerate(texts, 1)
    ]
    return leakcheck.check(the_meeting(), channel)


REGISTER = "We should publish the register."
# What both test channels send, whatever a test changes in the notes.
SENT = [
    Field("title", "Open data, meeting 1"),
    Field("body", f"Priya Raman said: {REGISTER}"),
    Field("html", f"<p>Dr Alexandra Smythe agreed.</p><p>{REGISTER}</p>"),
    Field("later", "They said the data strategy board meets in March."),
    Field("aside", MERGER),
]


def _person(world: dict[str, int], who: str) -> Person:
    person = db.session.get(Person, world[who])
    assert person is not None
    return person


def _item(body: str) -> Item:
    item = db.session.scalar(sa.select(Item).where(Item.body == body))
    assert item is not None
    return item


def withdraw_priya(world: dict[str, int]) -> None:
    grants.withdraw_all(_person(world, "priya"), actor=None)


def _give_alex_the_new_name(world: dict[str, int]) -> None:
    alex = _person(world, "alex")
    update_person(
        alex,
        PersonFields("Alexandra Smythe", alex.affiliation, alex.descriptor, alex.email),
        actor=None,
    )


def _register_confidential(world: dict[str, int]) -> None:
    item = _item(REGISTER)
    fields = ItemFields(
        item.kind, item.body, item.section, item.speaker_id, Confidentiality.CONFIDENTIAL
    )
    update_item(item, fields, actor=None)


def _redact_the_board(world: dict[str, int]) -> None:
    item = _item(REGISTER)
    body = f"{REGISTER} [The data strategy board meets in March]{{.confidential}}"
    fields = ItemFields(item.kind, body, item.section, item.speaker_id, item.confidentiality)
    update_item(item, fields, actor=None)


def _name_priya_to_the_public(world: dict[str, int]) -> None:
    grants.grant(_person(world, "priya"), ConsentAudience.PUBLIC, Level.NAMED, Scope(), actor=None)


def _retitle_the_series(world: dict[str, int]) -> None:
    series = db.session.scalar(sa.select(Series))
    assert series is not None
    series.title = MERGER  # what the public reads anyway is no secret


CHANGES: dict[str, Callable[[dict[str, int]], None]] = {
    "consent withdrawn": withdraw_priya,
    "person renamed": _give_alex_the_new_name,
    "item made confidential": _register_confidential,
    "span redacted": _redact_the_board,
    "consent given": _name_priya_to_the_public,
    "series retitled": _retitle_the_series,
}
