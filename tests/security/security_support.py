"""What the security tests share: an app of their own for a whole module, a
digest of every table, and a seeded world with one of everything."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from notesbase.auth import invites, tokens
from notesbase.auth.passwords import hash_password
from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings import service
from notesbase.models import (
    Base,
    MeetingStatus,
    Member,
    RequestKind,
    Reviewer,
    ReviewRequest,
    ReviewRound,
    ReviewStatus,
    Role,
    Series,
    Topic,
    utcnow,
)
from notesbase.notes import items, people
from notesbase.publishing.circulation import service as circulation_service
from notesbase.publishing.leakcheck.check import CHANNELS
from notesbase.publishing.writeups import service as writeup_service
from notesbase.review.service import token_hash
from tests.conftest import PASSWORD, csrf_token_from

ADMIN_EMAIL = "security-admin@example.org"


def dispose(*apps: Flask) -> None:
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def log_in(
    client: FlaskClient,
    email: str,
    password: str = PASSWORD,
    *,
    base_url: str = "http://localhost",
    headers: dict[str, str] | None = None,
    **form: Any,
) -> Any:
    """Log in through the form as a browser would (over HTTPS Flask-WTF also
    wants the same-site Referer browsers send); the login response."""
    page = client.get("/login", base_url=base_url, headers=headers).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "email": email, "password": password, **form}
    response = client.post(
        "/login",
        data=data,
        base_url=base_url,
        headers={"Referer": f"{base_url}/login", **(headers or {})},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def table_rows(app: Flask, ignore: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, without the columns in
    ``ignore`` (named ``table.column``)."""
    found: dict[str, list[tuple]] = {}
    with app.app_context(), db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if f"{table.name}.{c.name}" not in ignore]
            order = list(table.primary_key.columns) or columns
            rows = connection.execute(sa.select(*columns).order_by(*order))
            found[table.name] = [tuple(row) for row in rows]
    return found


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@dataclasses.dataclass
class World:
    """Ids and secrets of the seeded world, by the names routes use."""

    values: dict[str, Any]
    api_token: str
    invite_token: str
    admin_id: int


def _member(email: str, role: Role, series: list[Series]) -> Member:
    member = Member(
        email=email,
        display_name=email.split("@")[0].title(),
        password_hash=hash_password(PASSWORD),
        role=role,
        series=series,
    )
    db.session.add(member)
    return member


def seed_world(app: Flask) -> World:
    """A series with a held meeting on a topic; a person with a consent,
    linked to a member; open (edited), members-only and confidential items;
    a published write-up; an admin; a pending invitation; an API token; a
    circulation."""
    with app.app_context():
        series = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            series,
            service.MeetingFields(
                number=1,
                title="First",
                date=date(2025, 1, 15),
                status=MeetingStatus.HELD,
                topics=("Data ethics",),
            ),
        )
        admin = _member(ADMIN_EMAIL, Role.ADMIN, [])
        member = _member("member@example.org", Role.MEMBER, [series])
        db.session.flush()
        person = people.create_person(people.PersonFields("Ada Speaker", "Org"), actor=None)
        people.link_member(person, member, actor=None)
        consent = grants.grant(person, ConsentAudience.MEMBER, Level.NAMED, Scope(), actor=None)
        made = [
            items.create_item(
                meeting,
                items.ItemFields(Kind.POINT, body, speaker_id=person.id, confidentiality=level),
                actor=admin,
            )
            for body, level in (
                ("An open point.", Confidentiality.OPEN),
                ("A point for members.", Confidentiality.MEMBERS),
                ("A confidential point.", Confidentiality.CONFIDENTIAL),
            )
        ]
        items.update_item(
            made[0], items.ItemFields(kind=Kind.POINT, body="An open point, edited."), actor=admin
        )
        writeup_service.save_writeup(
            meeting, "What we discussed.", [made[0].id], actor=None, expected_version=None
        )
        writeup_service.publish_writeup(meeting, actor=None)
        invite, invite_token, _ = invites.create_invite(
            email="invitee@example.org", role=Role.MEMBER, series=[series]
        )
        token_row, api_token = tokens.create_token(admin, "security tests", actor=admin)
        values = {
            "slug": series.slug,
            "number": meeting.number,
            "item_id": made[0].id,
            "person_id": person.id,
            "consent_id": consent.id,
            "member_id": member.id,
            "invite_id": invite.id,
            "token_id": token_row.id,
            "token": invite_token,
            "channel": next(iter(CHANNELS)),
            "filename": "style.css",
            "topic_slug": db.session.scalar(sa.select(Topic.slug)),
        }
        admin_id = admin.id
        db.session.commit()
        values["circulation_id"] = circulation_service.start(
            meeting, actor=None, confirm_after=None
        )
        values.update(seed_review(meeting.id, person.id, made[0].id))
    return World(values, api_token, invite_token, admin_id)


def seed_review(meeting_id: int, person_id: int, item_id: int) -> dict[str, Any]:
    """A review opened after the circulation (so still in review), the
    person asked with a link and a session, and one correction of theirs."""
    review = ReviewRound(
        meeting_id=meeting_id,
        status=ReviewStatus.IN_REVIEW,
        deadline=utcnow() + timedelta(days=7),
        opened_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    reviewer = Reviewer(
        round_id=review.id,
        person_id=person_id,
        token_hash=token_hash("review-link-token"),
        session_hash=token_hash("review-session"),
    )
    db.session.add(reviewer)
    db.session.flush()
    # A correction: a request to restrict the item would (rightly) hold up
    # the write-up's export, which the walk of every GET route reads.
    request = ReviewRequest(
        reviewer_id=reviewer.id,
        item_id=item_id,
        item_version=1,
        kind=RequestKind.CORRECTION,
        suggested="An open point, corrected.",
    )
    db.session.add(request)
    db.session.commit()
    return {
        "review_token": "review-link-token",
        "review_session": "review-session",
        "reviewer_id": reviewer.id,
        "request_id": request.id,
    }
