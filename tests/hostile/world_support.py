"""The planted world (no tests here): every payload of the XSS corpus in
every text field a user can fill, built once per module through the same
services the pages, the API and the importers call.

Short fields carry several payloads at once (``packed``), so the world
stays small enough to render every page of it in a few seconds.

- Series ``s0``..``sN``: title, description; their meeting 1 (upcoming):
  title, theme, speakers, description, a topic; a published write-up whose
  summary is the payloads.
- People whose name, affiliation and descriptor are the payloads, named to
  members and the public by grants whose notes are payloads too.
- Series ``cop``, meeting 1 (held): items whose bodies hold every payload
  (one paragraph each) and whose sections are payloads, spoken by those
  people; a published write-up of all of them.
- Members of ``cop`` whose display names are the payloads: they receive the
  circulated email; the first is linked to the first person. A facilitator
  and an admin with ordinary names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from notesbase.auth import tokens
from notesbase.auth.passwords import hash_password
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import Meeting, Member, Person, Role, Series
from notesbase.notes import items, people
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.writeups.public import CHANNEL
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from notesbase.text import clean_line
from tests.conftest import PASSWORD, csrf_token_from
from tests.hostile.checks_support import corpus

FACILITATOR = "facilitator@example.org"
ADMIN = "admin@example.org"
MEMBER = "member0@example.org"
COP_MEETING = "/series/cop/meetings/1"


@dataclass
class World:
    app: Flask
    payloads: list[tuple[str, str]]
    # The payloads packed into title-sized (200) and display-name-sized
    # (120) strings: one series, meeting and person per title, one member
    # per name.
    titles: list[str]
    names: list[str]
    person_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    # How many of the items (the first) carry payloads; the rest are plain.
    hostile_items: int = 0

    def client(self, email: str | None = None) -> FlaskClient:
        """A test client, logged in as ``email`` through the real form."""
        client = self.app.test_client()
        if email is not None:
            page = client.get("/login").get_data(as_text=True)
            response = client.post(
                "/login",
                data={"csrf_token": csrf_token_from(page), "email": email, "password": PASSWORD},
            )
            assert response.status_code == 302, response.status_code
        return client

    def bearer(self, email: str) -> dict[str, str]:
        """The Authorization header of a new API token of ``email``'s member."""
        with self.app.app_context():
            member = db.session.scalar(sa.select(Member).where(Member.email == email))
            _, token = tokens.create_token(member, actor=None)
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}


def add_meeting(app: Flask, description: str = "") -> None:
    """Series "cop" with meeting 1 (held), for the smaller tests."""
    with app.app_context():
        series = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        service.create_meeting(
            series,
            service.MeetingFields(
                number=1, title="Kick-off", date=date(2025, 1, 15), description=description
            ),
        )
        db.session.commit()


def _member(email: str, name: str, role: Role, series: list[Series]) -> Member:
    # Account names are checked by the account's own forms (another area);
    # here they are stored as those forms should leave them.
    member = Member(
        email=email,
        display_name=clean_line(name),
        password_hash=hash_password(PASSWORD),
        role=role,
        active=True,
    )
    member.series.extend(series)
    db.session.add(member)
    return member


OVERRIDE_REASON = "The hostile world publishes its payloads to test every channel."


def _publish(meeting: Meeting, summary: str, item_ids: list[int]) -> None:
    """Save the write-up as the edit page does and publish it with every
    leak-check finding overridden, as a facilitator may: publishing's own
    checks are tested elsewhere, and here the payloads must reach the
    public channels (where the guard keeps them, overridden as they are)."""
    save_writeup(meeting, summary, item_ids, actor=None, expected_version=None)
    for _ in range(3):  # an override can bring a finding behind it to light
        try:
            publish_writeup(meeting, actor=None)
            return
        except leakcheck.LeakCheckFailed as failed:
            for finding in failed.report.blocking:
                leakcheck.override(meeting, CHANNEL, finding.key, OVERRIDE_REASON, actor=None)
    publish_writeup(meeting, actor=None)


def packed(payloads: list[str], limit: int, separator: str = " ") -> list[str]:
    """The payloads packed, in order, into as few strings of at most
    ``limit`` characters as will hold them (one that is too long alone is
    cut), so a field carries many payloads at once."""
    groups: list[str] = []
    for payload in payloads:
        if groups and len(groups[-1]) + len(separator) + len(payload) <= limit:
            groups[-1] += separator + payload
        else:
            groups.append(payload[:limit])
    return groups


def build(app: Flask) -> World:
    payloads = corpus()
    texts = [payload for _, payload in payloads]
    world = World(app, payloads, titles=packed(texts, 200), names=packed(texts, 120))
    # Markdown payloads each in a paragraph of their own.
    bodies = packed(texts, 2000, "\n\n")
    soon = date.today() + timedelta(days=30)
    with app.app_context():
        facilitator = _member(FACILITATOR, "Fran Facilitator", Role.FACILITATOR, [])
        # Published once everyone exists: a person added later whose name a
        # write-up holds would withhold it, as it should.
        to_publish: list[tuple[Meeting, str, list[int]]] = []
        _member(ADMIN, "Ada Admin", Role.ADMIN, [])
        for index, title in enumerate(world.titles):
            text = bodies[index % len(bodies)]
            series = service.create_series(service.SeriesFields(f"s{index}", title, text))
            meeting = service.create_meeting(
                series,
                service.MeetingFields(
                    number=1,
                    title=title,
                    date=soon,
                    theme=title,
                    topics=[title[:120]],
                    speakers=text,
                    description=text,
                    registration_url="https://example.org/register",
                ),
            )
            to_publish.append((meeting, text, []))
        cop = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            cop, service.MeetingFields(number=1, title="Planted notes", date=date(2025, 7, 9))
        )
        for index, name in enumerate(world.names):
            _member(f"member{index}@example.org", name, Role.MEMBER, [cop])
        # Name, affiliation and descriptor each carry a different title-sized
        # group, so a few people hold every payload.
        count = -(-len(world.titles) // 3)
        rotated = world.titles * 3
        for index in range(count):
            name, affiliation, descriptor = (
                rotated[index],
                rotated[index + count],
                rotated[index + 2 * count],
            )
            person = people.create_person(
                people.PersonFields(name, affiliation, descriptor, None), actor=facilitator
            )
            for audience in ConsentAudience:
                grants.grant(person, audience, Level.NAMED, grants.Scope(), actor=None, note=name)
            world.person_ids.append(person.id)
        # member0 is the first person: "My attributions" lists what they said.
        first = db.session.get(Person, world.person_ids[0])
        people.link_member(
            first, db.session.scalar(sa.select(Member).where(Member.email == MEMBER)), actor=None
        )
        # Everyone speaks (a plain point once the payloads run out): people
        # named together in the text who spoke nowhere would read as a list
        # of attendees, which the leak check rightly refuses to send.
        padded = bodies + ["A plain point."] * (len(world.person_ids) - len(bodies))
        world.hostile_items = len(bodies)
        for index, body in enumerate(padded):
            speaker = world.person_ids[index % len(world.person_ids)]
            section = world.titles[index % len(world.titles)]
            fields = items.ItemFields(Kind.QUOTE, body, section, speaker)
            world.item_ids.append(items.create_item(meeting, fields, actor=facilitator).id)
        to_publish.append((meeting, "\n\n".join(texts), world.item_ids))
        for published in to_publish:
            _publish(*published)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == len(world.titles) + 1
    return world
