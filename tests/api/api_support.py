"""A small world for the JSON API tests: two series, notes with planted
confidential text and an unreleased name, and a token for every kind of caller."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.meetings import service
from notesbase.models import Member, Role, Series, utcnow
from notesbase.notes import items, people

CONFIDENTIAL = "PLANTEDCONFIDENTIAL cut the budget"
SPAN = "PLANTEDSPAN"
MEMBERS_ONLY = "PLANTEDMEMBERS only for the network"
HIDDEN_NAME = "Zebedee Quillfeather"
HIDDEN_ORG = "Hiddenhouse Trust"
JANE = "Jane Doe (Open Data Manchester)"
# Never in a member's or the public's answer.
FORBIDDEN = (CONFIDENTIAL, SPAN, HIDDEN_NAME, "Quillfeather", HIDDEN_ORG)

CALLERS = ("public", "other", "member", "facilitator", "admin")


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        if who == "public":
            return {}
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(app: Any, make_member: Any, make_series: Any) -> World:
    cop = make_series("cop", "Community of Practice", description="The **network**.")
    other = make_series("other", "Another series")
    world = World()
    make_member("member@example.org", series=[cop])
    make_member("other@example.org", series=[other])
    make_member("jane@example.org", series=[cop], name="Jane")
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    make_member("admin@example.org", role=Role.ADMIN)
    with app.app_context():
        series = db.session.get(Series, cop.id)
        held = service.create_meeting(
            series,
            service.MeetingFields(
                number=1,
                title="First meeting",
                date=date(2024, 7, 18),
                topics=["Open data"],
                registration_url="https://example.org/register/1",
            ),
        )
        service.create_meeting(
            series,
            service.MeetingFields(
                number=2,
                title="Second meeting",
                date=(utcnow() + timedelta(days=30)).date(),
                registration_url="https://example.org/register/2",
            ),
        )
        jane = people.create_person(
            people.PersonFields(
                "Jane Doe", "Open Data Manchester", "a local authority data lead", None
            ),
            actor=None,
        )
        jane.member_id = _member("jane@example.org").id
        zed = people.create_person(
            people.PersonFields(HIDDEN_NAME, HIDDEN_ORG, "", None), actor=None
        )
        grants.grant(jane, "member", "named", grants.Scope(), actor=None)

        def add(body: str, speaker: Any, confidentiality: Confidentiality, section: str) -> int:
            fields = items.ItemFields(Kind.POINT, body, section, speaker.id, confidentiality)
            return items.create_item(held, fields, actor=None).id

        world.ids["open"] = add("Publish the data.", jane, Confidentiality.OPEN, "Opening")
        world.ids["members"] = add(MEMBERS_ONLY, jane, Confidentiality.MEMBERS, "Opening")
        world.ids["confidential"] = add(CONFIDENTIAL, zed, Confidentiality.CONFIDENTIAL, "Aside")
        world.ids["mention"] = add(
            f"{HIDDEN_NAME} said hello. [{SPAN}]{{.confidential}} Then we ate.",
            zed,
            Confidentiality.OPEN,
            "Opening",
        )
        world.ids["jane"] = jane.id
        world.ids["zed"] = zed.id
        world.ids["meeting"] = held.id
        for who in ("member", "other", "jane", "facilitator", "admin"):
            _row, token = tokens.create_token(_member(f"{who}@example.org"), who, actor=None)
            world.tokens[who] = token
        db.session.commit()
    return world


def _member(email: str) -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.email == email))
    assert member is not None
    return member


def send(client: Any, method: str, url: str, who: str, world: World, body: Any = None) -> Any:
    """Call the API as ``who``, with ``body`` sent as JSON when given."""
    kwargs: dict[str, Any] = {"headers": world.headers(who)}
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return client.open(url, method=method, **kwargs)


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The JSON error body, checked for shape and status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    return error
