"""Shared by the review tests (no tests here): a meeting whose notes credit
a guest (Gwen, an email, no account), name her in others' items, and name
Harold, who released nothing; helpers that drive the board and the
reviewer's pages as a browser would, and read the outbox."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from notesbase.auth import tokens
from notesbase.consent import grants
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import Item, Member, Reviewer, Role, Series
from notesbase.notes import items, people
from tests.conftest import PASSWORD, csrf_token_from

GUEST = "Gwendolyn Quarrington"
GUEST_EMAIL = "gwen@example.org"
HIDDEN = "Harold Zimmerwald"
HIDDEN_ORG = "Zimmerwald Foundation"
HIDDEN_EMAIL = "harold@example.org"
NO_EMAIL = "Olwen Nomailton"

OWN = "We should publish the registers openly."
OWN_NAMING = f"As {HIDDEN} of {HIDDEN_ORG} argued, the budget is short."
HAROLDS_SECRET = "PLANTEDCONFIDENTIAL the budget will be cut"
NAMING_GUEST = f"{GUEST} offered to share the template."
CONFIDENTIAL_NAMING = f"PLANTEDSECRET {GUEST} may leave the programme."
OLWENS = "PLANTEDOLWEN a point about procurement."

BOARD = "/series/cop/meetings/1/review"
# Within the 90 days a review may last.
DEADLINE = (date.today() + timedelta(days=10)).isoformat()


def build_world(app: Any, make_member: Any, make_series: Any) -> dict[str, int]:
    """Series "cop" with meeting 1 and its notes; a facilitator and a member."""
    cop = make_series("cop", "Community of Practice")
    make_member("facilitator@example.org", role=Role.FACILITATOR, name="Fiona Facilitator")
    make_member("member@example.org", series=[cop])
    world: dict[str, int] = {}
    with app.app_context():
        meeting = service.create_meeting(
            db.session.get(Series, cop.id),
            service.MeetingFields(number=1, title="First meeting", date=date(2025, 1, 15)),
        )
        gwen = people.create_person(
            people.PersonFields(GUEST, "Quarry Trust", "a data lead", GUEST_EMAIL), actor=None
        )
        harold = people.create_person(
            people.PersonFields(HIDDEN, HIDDEN_ORG, "", HIDDEN_EMAIL), actor=None
        )
        olwen = people.create_person(people.PersonFields(NO_EMAIL, "", "", None), actor=None)
        for audience in ConsentAudience:
            grants.grant(gwen, audience, Level.NAMED, grants.Scope(), actor=None)

        def add(body: str, speaker: Any, confidentiality: Confidentiality) -> int:
            fields = items.ItemFields(Kind.QUOTE if speaker else Kind.POINT, body)
            fields.speaker_id = speaker.id if speaker else None
            fields.confidentiality = confidentiality
            return items.create_item(meeting, fields, actor=None).id

        world["own"] = add(OWN, gwen, Confidentiality.OPEN)
        world["own_naming"] = add(OWN_NAMING, gwen, Confidentiality.OPEN)
        world["harolds"] = add(HAROLDS_SECRET, harold, Confidentiality.CONFIDENTIAL)
        world["naming_guest"] = add(NAMING_GUEST, None, Confidentiality.MEMBERS)
        world["confidential_naming"] = add(CONFIDENTIAL_NAMING, None, Confidentiality.CONFIDENTIAL)
        world["olwens"] = add(OLWENS, olwen, Confidentiality.OPEN)
        world.update(gwen=gwen.id, harold=harold.id, olwen=olwen.id, meeting=meeting.id)
        db.session.commit()
    return world


def log_in(client: FlaskClient, email: str = "facilitator@example.org") -> None:
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token_from(html), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 302


def post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, page: str = BOARD
) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def outbox(app: Any) -> list[EmailMessage]:
    folder = Path(app.instance_path) / "outbox"
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        found.append(message_from_bytes(path.read_bytes(), policy=policy.default))
    return found  # type: ignore[return-value]


def whole_text(message: EmailMessage) -> str:
    """Headers and every part, decoded."""
    parts = [str(message["Subject"]), str(message["To"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def link_in(message: EmailMessage) -> str:
    """The review link's path, from the plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"https?://[^/\s]+(/review/[A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


def open_review(app: Any, client: FlaskClient, deadline: str = DEADLINE) -> dict[str, str]:
    """As the facilitator: prepare and start a review; each invitee's link path by email."""
    log_in(client)
    assert post(client, BOARD, {"deadline": deadline}).status_code == 302
    before = len(outbox(app))
    assert post(client, BOARD + "/start").status_code == 302
    sent = outbox(app)[before:]
    return {str(m["To"].addresses[0].addr_spec): link_in(m) for m in sent}


def use_link(client: FlaskClient, link: str) -> Any:
    """Follow a review link and press its button; the response of the press."""
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


def reviewer_id(app: Any, person_id: int) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(Reviewer.id).where(Reviewer.person_id == person_id))
        assert found is not None
        return found


def item_row(app: Any, item_id: int) -> Item | None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        if item is not None:
            db.session.expunge(item)
        return item


# -- the JSON API ---------------------------------------------------------------

REVIEW = "/api/v1/series/cop/meetings/1/review"


def token_for(app: Any, email: str) -> dict[str, str]:
    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        _row, token = tokens.create_token(member, "test", actor=None)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def open_by_api(app: Any, client: FlaskClient) -> dict[str, str]:
    """Open a review through the API; each invitee's link secret by email."""
    response = client.post(
        REVIEW, json={"deadline": DEADLINE}, headers=token_for(app, "facilitator@example.org")
    )
    assert response.status_code == 201, response.get_json()
    response.close()  # the invitations leave once the answer is sent
    links = {}
    for message in outbox(app):
        text = message.get_body(preferencelist=("plain",)).get_content()
        links[str(message["To"].addresses[0].addr_spec)] = text.split("/review/")[1].split()[0]
    return links
