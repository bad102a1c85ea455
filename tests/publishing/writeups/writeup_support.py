"""Shared by the write-up tests (no tests here): a series whose first meeting
has notes with a speaker named to the public, an unreleased name, a
members-only span and item, and a confidential item; accounts and tokens;
and helpers that drive the write-up pages as a browser would."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import Meeting, Member, Role, Series, Writeup
from notesbase.notes import items, people
from tests.conftest import PASSWORD, csrf_token_from

NAMED = "Perpetua Quillfeather"
NAMED_CREDIT = "Perpetua Quillfeather (Inkwell Trust)"
HIDDEN = "Zebedee Hiddenname"
HIDDEN_ORG = "Hiddenhouse Trust"
SPAN = "PLANTEDSPAN words"
MEMBERS_ONLY = "PLANTEDMEMBERS only for us"
CONFIDENTIAL = "PLANTEDCONFIDENTIAL cut the budget"

PUBLIC = "/series/cop/meetings/1/writeup"
EDIT = PUBLIC + "/edit"
PREVIEW = PUBLIC + "/preview"
PUBLISH = PUBLIC + "/publish"
UNPUBLISH = PUBLIC + "/unpublish"
EXPORT = PUBLIC + ".md"
API = "/api/v1/series/cop/meetings/1/writeup"


def build_world(app: Any, make_member: Any, make_series: Any) -> dict[str, Any]:
    """Series "cop" (meetings 1 and 2) and "other" (meeting 1); ids and tokens."""
    cop = make_series("cop", "Community of Practice")
    other = make_series("other", "Another series")
    make_member("facilitator@example.org", role=Role.FACILITATOR, name="Fiona Facilitator")
    make_member("facilitator2@example.org", role=Role.FACILITATOR)
    make_member("perpetua@example.org", series=[cop])
    make_member("outsider@example.org", series=[other])
    world: dict[str, Any] = {}
    with app.app_context():
        series = db.session.get(Series, cop.id)
        first = service.create_meeting(
            series,
            service.MeetingFields(
                number=1, title="First meeting", date=date(2025, 1, 15), topics=["Open data"]
            ),
        )
        second = service.create_meeting(
            series,
            service.MeetingFields(number=2, title="Second meeting", date=date(2025, 2, 12)),
        )
        elsewhere = service.create_meeting(
            db.session.get(Series, other.id),
            service.MeetingFields(number=1, title="Elsewhere", date=date(2025, 3, 5)),
        )
        perpetua = people.create_person(
            people.PersonFields(NAMED, "Inkwell Trust", "a data lead", None), actor=None
        )
        people.link_member(perpetua, _member("perpetua@example.org"), actor=None)
        zed = people.create_person(people.PersonFields(HIDDEN, HIDDEN_ORG, "", None), actor=None)
        for audience in ConsentAudience:
            grants.grant(perpetua, audience, Level.NAMED, grants.Scope(), actor=None)

        def add(meeting: Meeting, body: str, speaker: Any, c: Confidentiality, section: str) -> int:
            fields = items.ItemFields(Kind.QUOTE if speaker else Kind.POINT, body, section)
            fields.speaker_id = speaker.id if speaker else None
            fields.confidentiality = c
            return items.create_item(meeting, fields, actor=None).id

        world["quote"] = add(
            first, "Publish the data openly.", perpetua, Confidentiality.OPEN, "Opening"
        )
        world["mention"] = add(
            first,
            f"{HIDDEN} said: Budgets matter. [{SPAN}]{{.members}}",
            None,
            Confidentiality.OPEN,
            "Money",
        )
        world["members"] = add(first, MEMBERS_ONLY, zed, Confidentiality.MEMBERS, "Money")
        world["confidential"] = add(first, CONFIDENTIAL, zed, Confidentiality.CONFIDENTIAL, "")
        world["second"] = add(second, "Second meeting point.", None, Confidentiality.OPEN, "")
        world["elsewhere"] = add(elsewhere, "Elsewhere point.", None, Confidentiality.OPEN, "")
        for who in ("facilitator", "perpetua"):
            _row, token = tokens.create_token(_member(f"{who}@example.org"), who, actor=None)
            world[f"{who}_token"] = token
        db.session.commit()
    return world


def _member(email: str) -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.email == email))
    assert member is not None
    return member


def log_in(client: Any, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def form_version(html: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html
    )
    assert match, "no version in the page"
    return match[1]


def save(client: Any, summary: str, item_ids: list[int], base: str = PUBLIC) -> Any:
    """Post the write-up form as a browser would (token and version from the page)."""
    html = client.get(base + "/edit").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(html),
        "version": form_version(html),
        "summary": summary,
        "items": [str(i) for i in item_ids],
    }
    return client.post(base + "/edit", data=data)


def publish(client: Any, base: str = PUBLIC) -> Any:
    """Press Publish on the write-up page."""
    html = client.get(base + "/edit").get_data(as_text=True)
    return client.post(
        base + "/publish",
        data={"csrf_token": csrf_token_from(html), "version": form_version(html)},
    )


def load_meeting(slug: str = "cop", number: int = 1) -> Meeting:
    meeting = db.session.scalar(
        sa.select(Meeting).join(Series).where(Series.slug == slug, Meeting.number == number)
    )
    assert meeting is not None
    return meeting


def writeup_row(app: Any, slug: str = "cop", number: int = 1) -> Writeup | None:
    with app.app_context():
        row = db.session.scalar(
            sa.select(Writeup).where(Writeup.meeting_id == load_meeting(slug, number).id)
        )
        if row is not None:
            db.session.expunge(row)
        return row


def call(client, method: str, token: str | None = None, body=None, url: str = API):
    """``method`` on the write-up API (or ``url``), with ``token`` and a JSON ``body``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return client.open(url, method=method, **kwargs)


def patch_item(client, world, item_id: int, body: str):
    """Edit an item's body through the API with the facilitator's token."""
    headers = {"Authorization": f"Bearer {world['facilitator_token']}"}
    current = client.get(f"/api/v1/items/{item_id}", headers=headers).get_json()
    return client.patch(
        f"/api/v1/items/{item_id}",
        json={"body": body, "version": current["version"]},
        headers=headers,
    )


@pytest.fixture(name="world")
def world_fixture(app, make_member, make_series):
    """The write-up world (``build_world``) for a test module that imports it."""
    return build_world(app, make_member, make_series)


@pytest.fixture(name="facilitator")
def facilitator_fixture(app, world):
    """A client logged in as the world's facilitator."""
    client = app.test_client()
    log_in(client, "facilitator@example.org")
    return client
