"""Where a list can be empty, the page says what is missing and what to do
next, in an ``empty-state`` box, with the next step each reader can take."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import tinyhtml5
from flask import Flask
from flask.testing import FlaskClient

from notesbase.db import db
from notesbase.meetings import service
from notesbase.models import MeetingStatus, Member, Role, Series, Topic, utcnow
from tests.conftest import AuthActions

NS = "{http://www.w3.org/1999/xhtml}"
MakeMember = Callable[..., Member]
MakeSeries = Callable[..., Series]


def empty_states(html: str) -> list[tuple[str, list[str]]]:
    """Each ``.empty-state`` box of the page: its words and its links."""
    root = tinyhtml5.parse(html)
    boxes = [e for e in root.iter() if "empty-state" in (e.get("class") or "").split()]
    return [
        (" ".join("".join(box.itertext()).split()), [a.get("href", "") for a in box.iter(NS + "a")])
        for box in boxes
    ]


def empty_state(client: FlaskClient, url: str, words: str) -> list[str]:
    """The links of the empty-state box on ``url`` that says ``words``."""
    response = client.get(url)
    assert response.status_code == 200, url
    boxes = empty_states(response.get_data(as_text=True))
    for text, links in boxes:
        if words in text:
            return links
    raise AssertionError(f"no empty state saying {words!r} on {url}: {boxes}")


def client_as(app: Flask, make_member: MakeMember, role: Role, **kwargs: Any) -> FlaskClient:
    """A new client, logged in as a new member with ``role``."""
    member = make_member(f"{role.value}@example.org", role=role, **kwargs)
    client = app.test_client()
    assert AuthActions(client).login(member.email).status_code == 302
    return client


def add_meeting(app: Flask, series: Series, number: int = 1, **fields: Any) -> None:
    with app.app_context():
        values = {
            "number": number,
            "title": f"Meeting {number}",
            "date": date(2025, 3, 14),
            "start_time": None,
            "timezone": "Europe/London",
            "format": None,
            "status": MeetingStatus.HELD,
            "theme": "",
            "topics": [],
            "speakers": "",
            "registration_url": None,
            "description": "",
            "chatham_house": True,
            **fields,
        }
        service.create_meeting(db.session.merge(series), service.MeetingFields(**values))
        db.session.commit()


def test_no_series_yet(app: Flask, client: FlaskClient, make_member: MakeMember) -> None:
    """With no series, everyone is told so; only facilitators are offered to add one."""
    assert "/series/new" not in empty_state(client, "/", "There are no series yet.")
    facilitator = client_as(app, make_member, Role.FACILITATOR)
    assert "/series/new" in empty_state(facilitator, "/", "Add a series")


def test_a_meeting_without_notes(
    app: Flask, client: FlaskClient, make_member: MakeMember, make_series: MakeSeries
) -> None:
    """A meeting without notes tells its members they are not circulated yet
    and gives facilitators the way to start them; the public hears nothing."""
    series = make_series()
    add_meeting(app, series)
    url = "/series/cop/meetings/1"
    assert "empty-state notes-links" not in client.get(url).get_data(as_text=True)
    member = client_as(app, make_member, Role.MEMBER, series=[series])
    links = empty_state(member, url, "Notes have not been circulated yet.")
    assert not [link for link in links if "/notes" in link]
    facilitator = client_as(app, make_member, Role.FACILITATOR)
    links = empty_state(facilitator, url, "No notes yet.")
    assert f"{url}/notes/edit" in links and f"{url}/notes/import" in links


def test_a_search_that_finds_nothing(
    app: Flask, make_member: MakeMember, make_series: MakeSeries
) -> None:
    """A search that finds nothing suggests other words; with filters, it
    links to the same words without them."""
    series = make_series()
    member = client_as(app, make_member, Role.MEMBER, series=[series])
    links = empty_state(
        member, "/search?q=zyzzyva&series=cop&kind=quote&sort=date", "Nothing found"
    )
    assert "/search?q=zyzzyva&sort=date" in links
    assert "Try fewer or different words" in " ".join(
        text for text, _ in empty_states(member.get("/search?q=zyzzyva").get_data(as_text=True))
    )


def test_no_topics_yet(app: Flask, client: FlaskClient, make_member: MakeMember) -> None:
    """With no topics, readers are sent to the series; facilitators are told
    where topics come from."""
    assert "/" in empty_state(client, "/topics/", "No meeting has a topic yet.")
    facilitator = client_as(app, make_member, Role.FACILITATOR)
    assert "/" in empty_state(facilitator, "/topics/", "Edit meeting")


def test_a_topic_without_meetings_or_writeups(
    app: Flask, client: FlaskClient, make_series: MakeSeries
) -> None:
    """A topic no meeting is on says so and links to the others; one whose
    meetings have no write-up says that instead of hiding the section."""
    with app.app_context():
        db.session.add(Topic(slug="unused", name="Unused"))
        db.session.commit()
    assert "/topics/" in empty_state(client, "/topics/unused", "No meeting is on this topic yet.")
    add_meeting(app, make_series(), topics=["Open data"])
    empty_state(client, "/topics/open-data", "No meeting on this topic has a public write-up yet.")


def test_nothing_upcoming(
    app: Flask, client: FlaskClient, make_member: MakeMember, make_series: MakeSeries
) -> None:
    """With nothing planned, readers are pointed to the calendar and
    facilitators to adding a meeting to the series."""
    series = make_series()
    add_meeting(app, series, date=(utcnow() - timedelta(days=30)).date())
    empty_state(client, "/series/cop/upcoming", "Subscribe to the calendar")
    facilitator = client_as(app, make_member, Role.FACILITATOR)
    links = empty_state(facilitator, "/series/cop/upcoming", "No meetings are planned yet.")
    assert "/series/cop/meetings/new" in links


def test_no_people_yet(app: Flask, make_member: MakeMember) -> None:
    """With nobody recorded, facilitators are asked to add a person; a search
    that matches nobody offers everyone again."""
    facilitator = client_as(app, make_member, Role.FACILITATOR)
    assert "/people/new" in empty_state(facilitator, "/people/", "Nobody is recorded yet.")
    assert "/people/" in empty_state(facilitator, "/people/?q=zebedee", "Nobody matches that name.")


def test_no_invitations_and_no_matching_audit_events(app: Flask, make_member: MakeMember) -> None:
    """Admins with no invitations are sent to the invite form; an audit filter
    that matches nothing offers the whole log."""
    admin = client_as(app, make_member, Role.ADMIN)
    assert "#email" in empty_state(admin, "/admin/invites", "No invitations have been sent yet.")
    links = empty_state(admin, "/admin/audit?action=people", "No events match that filter.")
    assert "/admin/audit" in links


def test_no_attributions_and_no_api_tokens(app: Flask, make_member: MakeMember) -> None:
    """A member nobody has linked to a speaker is told who can; one without
    API tokens is told what one is for."""
    member = client_as(app, make_member, Role.MEMBER)
    empty_state(member, "/me/attributions", "ask its facilitator to link your account")
    empty_state(member, "/account", "You have no API tokens.")
