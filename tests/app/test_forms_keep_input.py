"""Every form, sent with a mistake, comes back with a 4xx, everything the user
typed (never a password), a summary of the problems linking to the fields,
and each message beside its field, tied to it by aria-describedby."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

import pytest
import sqlalchemy as sa
import tinyhtml5
from flask import Flask
from flask.testing import FlaskClient

from notesbase.auth import invites
from notesbase.db import db
from notesbase.demo import DEMO_SERIES, load_demo
from notesbase.disclosure import Confidentiality
from notesbase.models import Item, Meeting, Member, Person, Role, Series
from tests.conftest import csrf_token_from

SLUG = DEMO_SERIES.slug
NOTES_MEETING = 9  # has notes, people and a write-up in the demo
TYPED_PASSWORD = "typed-secret-Passw0rd"
NS = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Demo:
    """The demo data, an invitation link's token and the ids the forms need."""

    app: Flask
    passwords: dict[str, tuple[str, str]]
    token: str
    ids: dict[str, int]

    def client_for(self, role: str | None) -> FlaskClient:
        client = self.app.test_client()
        if role is not None:
            email, password = self.passwords[role]
            response = post(client, "/login", {"email": email, "password": password})
            assert response.status_code == 302, response.get_data(as_text=True)
        return client


@pytest.fixture
def demo(app: Flask) -> Demo:
    with app.app_context():
        accounts = load_demo(datetime.now(UTC))
        series = db.session.scalar(sa.select(Series).where(Series.slug == SLUG))
        assert series is not None
        _invite, token, _ = invites.create_invite(
            email="newcomer@example.org", role=Role.MEMBER, series=[series]
        )
        person = db.session.scalars(sa.select(Person).order_by(Person.id)).first()
        member = db.session.scalar(sa.select(Member).where(Member.role == Role.MEMBER))
        assert person is not None and member is not None
        db.session.commit()
        ids = {"series": series.id, "person": person.id, "member": member.id}
    return Demo(app, {a.role.value: (a.email, p) for a, p in accounts}, token, ids)


def post(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """Post as a browser would: the page's CSRF token and hidden fields first."""
    html = client.get(page or url).get_data(as_text=True)
    hidden = dict(
        re.findall(r'<input[^>]*type="hidden"[^>]*name="(\w+)"[^>]*value="([^"]*)"', html)
    )
    hidden["csrf_token"] = csrf_token_from(html)
    hidden.pop("findings", None)
    return client.post(url, data={**hidden, **data})


@dataclass
class Case:
    """One form sent with a mistake: who sends it, where, what, and what must come back.

    ``typed``: control id -> the value it must show again (True: checked).
    ``errors``: control id -> words of the message that must be beside it."""

    role: str | None
    url: str
    data: dict[str, Any] | Callable[[Demo, str], dict[str, Any]]
    status: int
    typed: dict[str, str | bool]
    errors: dict[str, str]
    page: str | None = None
    secrets: tuple[str, ...] = ()


MEETING_URL = f"/series/{SLUG}/meetings/{NOTES_MEETING}"
LONG = "A name that goes on" + " and on" * 40


def _items(demo: Demo, page: str) -> dict[str, Any]:
    """A write-up whose summary is too long, with the first offered item ticked."""
    item = re.search(r'name="items"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="items"', page
    )
    assert item, "the write-up form offers no item"
    return {"summary": "Too long. " * 2100, "items": [item.group(1)]}


CASES: dict[str, Case] = {
    "log in": Case(
        None,
        "/login",
        {"email": "someone@example.org", "password": "", "remember": "y"},
        400,
        {"email": "someone@example.org", "remember": True},
        {"password": "Enter your password."},
    ),
    "log in, wrong password": Case(
        None,
        "/login",
        {"email": "someone@example.org", "password": TYPED_PASSWORD},
        401,
        {"email": "someone@example.org"},
        {"password": "do not match"},
        secrets=(TYPED_PASSWORD,),
    ),
    "display name": Case(
        "member",
        "/account/name",
        {"display_name": LONG},
        400,
        {"display_name": LONG},
        {"display_name": "at most"},
        page="/account",
    ),
    "password change": Case(
        "member",
        "/account/password",
        {
            "current_password": TYPED_PASSWORD,
            "new_password": "short",
            "confirm_password": TYPED_PASSWORD + "x",
        },
        400,
        {},
        {"new_password": "characters", "confirm_password": "not the same"},
        page="/account",
        secrets=(TYPED_PASSWORD, TYPED_PASSWORD + "x"),
    ),
    "API token": Case(
        "member",
        "/account/tokens",
        {"name": LONG},
        422,
        {"name": LONG},
        {"name": "at most"},
        page="/account",
    ),
    "accept invitation": Case(
        None,
        "/invite/{token}",
        {"display_name": "Ada Newcomer", "new_password": "short", "confirm_password": "short"},
        400,
        {"display_name": "Ada Newcomer"},
        {"new_password": "characters"},
        secrets=('value="short"',),
    ),
    "invite someone": Case(
        "admin",
        "/admin/invites",
        lambda demo, _page: {"email": "", "role": "facilitator", "series": [demo.ids["series"]]},
        400,
        {"role": "facilitator", "series-0": True},
        {"email": "Enter an email."},
    ),
    "member's role and series": Case(
        "admin",
        "/admin/members/{member}",
        lambda demo, _page: {"role": "emperor", "series": []},
        400,
        {"series-0": False},
        {"role": "Choose one of the options listed."},
    ),
    "new series": Case(
        "facilitator",
        "/series/new",
        {"title": "Town halls", "slug": "Town Halls!", "description": "Open *to all*."},
        422,
        {"title": "Town halls", "slug": "Town Halls!", "description": "Open *to all*."},
        {"slug": "lowercase letters"},
    ),
    "edit series": Case(
        "facilitator",
        f"/series/{SLUG}/edit",
        {"title": "", "slug": SLUG, "description": "Changed words"},
        422,
        {"slug": SLUG, "description": "Changed words"},
        {"title": "Give the series a title."},
    ),
    "new meeting": Case(
        "facilitator",
        f"/series/{SLUG}/meetings/new",
        {
            "number": "eleven",
            "title": "Budgets in the open",
            "date": "2025-02-30",
            "start_time": "25:99",
            "timezone": "Mars/Olympus",
            "format": "online",
            "status": "upcoming",
            "theme": "Money",
            "topics": "Budgets, Open data",
            "speakers": "TBC",
            "registration_url": "ftp://example.org/register",
            "description": "We will *talk*.",
        },
        422,
        {
            "number": "eleven",
            "title": "Budgets in the open",
            "date": "2025-02-30",
            "start_time": "25:99",
            "timezone": "Mars/Olympus",
            "format": "online",
            "theme": "Money",
            "topics": "Budgets, Open data",
            "speakers": "TBC",
            "registration_url": "ftp://example.org/register",
            "description": "We will *talk*.",
            "chatham_house": False,
        },
        {
            "number": "whole number",
            "date": "real date",
            "start_time": "hours and minutes",
            "timezone": "Europe/London",
            "registration_url": "https://",
        },
    ),
    "edit meeting": Case(
        "facilitator",
        f"{MEETING_URL}/edit",
        {
            "number": "9",
            "title": "",
            "date": "2025-03-14",
            "timezone": "Europe/London",
            "status": "held",
            "topics": "Trust",
            "chatham_house": "y",
        },
        422,
        {
            "number": "9",
            "date": "2025-03-14",
            "status": "held",
            "topics": "Trust",
            "chatham_house": True,
        },
        {"title": "Give the meeting a title."},
    ),
    "new person": Case(
        "facilitator",
        "/people/new",
        {
            "name": "",
            "affiliation": "Acme Council",
            "descriptor": "a planner",
            "email": "p@example.org",
            "member_email": "",
        },
        422,
        {"affiliation": "Acme Council", "descriptor": "a planner", "email": "p@example.org"},
        {"name": "Enter the person's name."},
    ),
    "person's details": Case(
        "facilitator",
        "/people/{person}",
        {
            "name": "Renamed Person",
            "affiliation": "",
            "descriptor": "",
            "email": "",
            "member_email": "nobody@example.org",
        },
        422,
        {"name": "Renamed Person", "member_email": "nobody@example.org"},
        {"member_email": "no member account"},
    ),
    "record consent": Case(
        "facilitator",
        "/people/{person}/consent",
        {"audience": "public", "scope": "nowhere", "level": "named", "note": "by phone"},
        422,
        {"audience-1": True, "level-3": True, "note": "by phone"},
        {"scope": "Choose one of the places listed."},
        page="/people/{person}",
    ),
    "my consent": Case(
        "member",
        "/me/attributions/consent",
        {"audience": "public", "scope": "everywhere", "level": "famous"},
        422,
        {"audience-1": True},
        {"level": "Choose one of the four levels."},
        page="/me/attributions",
    ),
    "my description": Case(
        "member",
        "/me/attributions/descriptor",
        {"descriptor": LONG},
        422,
        {"descriptor": LONG},
        {"descriptor": "at most"},
        page="/me/attributions",
    ),
    "write-up": Case(
        "facilitator",
        f"{MEETING_URL}/writeup/edit",
        _items,
        422,
        {"items-0": True},
        {"summary": "at most"},
    ),
    "new item in the notes": Case(
        "facilitator",
        f"{MEETING_URL}/notes/edit",
        {
            "kind": "quote",
            "speaker": "",
            "section": "Opening",
            "confidentiality": "members",
            "body": "",
            "new_name": "Priya Sharma",
        },
        422,
        {
            "kind": "quote",
            "section": "Opening",
            "confidentiality-1": True,
            "new_name": "Priya Sharma",
        },
        {"body": "Write what was said or agreed."},
    ),
    "import notes": Case(
        "facilitator",
        f"{MEETING_URL}/notes/import",
        {"text": "", "mode": "append"},
        422,
        {"mode-1": True},
        {"text": "paste the notes here"},
    ),
}


def _fill(text: str, demo: Demo) -> str:
    return text.format(token=demo.token, **demo.ids)


def parse(html: str) -> tuple[dict[str, Element], dict[Element, Element]]:
    root = tinyhtml5.parse(html)
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    parents = {child: parent for parent in root.iter() for child in parent}
    return by_id, parents  # type: ignore[return-value]


def text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def shown_value(element: Element) -> str | bool:
    tag = element.tag.removeprefix(NS)
    if tag == "textarea":
        return (element.text or "").removeprefix("\n")
    if tag == "select":
        chosen = [
            o.get("value") for o in element.iter(NS + "option") if o.get("selected") is not None
        ]
        return chosen[0] if chosen else ""
    if element.get("type") in ("checkbox", "radio"):
        return element.get("checked") is not None
    return element.get("value") or ""


def ancestors(element: Element, parents: dict[Element, Element]) -> list[Element]:
    found = []
    while element in parents:
        element = parents[element]
        found.append(element)
    return found


def field_box(element: Element, parents: dict[Element, Element]) -> Element:
    """The nearest enclosing element whose class is ``field``: where a
    control, its label, hint and error live together."""
    for node in ancestors(element, parents):
        if "field" in (node.get("class") or "").split():
            return node
    raise AssertionError(f"#{element.get('id')} is in no .field box")


def check_reshown(html: str, typed: dict[str, str | bool], errors: dict[str, str]) -> None:
    by_id, parents = parse(html)
    for control_id, value in typed.items():
        assert control_id in by_id, f"#{control_id} is not in the page again"
        assert shown_value(by_id[control_id]) == value, f"#{control_id} lost what was typed"
    summary = [e for e in parents if "error-summary" in (e.get("class") or "")]
    assert summary, "no error summary"
    links = {a.get("href", "")[1:]: text(a) for s in summary for a in s.iter(NS + "a")}
    for control_id, words in errors.items():
        error = by_id.get(f"{control_id}-error")
        assert error is not None, f"no message beside #{control_id}"
        assert words in text(error), f"#{control_id}: {text(error)!r}"
        described = [
            e for e in parents if f"{control_id}-error" in (e.get("aria-describedby") or "").split()
        ]
        assert described, f"nothing is described by #{control_id}-error"
        box = field_box(error, parents)
        assert box is described[0] or box in ancestors(described[0], parents), (
            f"the message for #{control_id} is not beside it"
        )
        target = control_id if control_id in links else f"{control_id}-0"
        assert target in links and target in by_id, f"the summary does not link to #{control_id}"
    assert "There is a problem" in text(summary[0])


@pytest.mark.parametrize("name", list(CASES))
def test_a_form_sent_with_a_mistake_keeps_what_was_typed(demo: Demo, name: str) -> None:
    """Sent with a mistake, the form answers 4xx and shows again every value
    typed, a summary linking to each field, each message beside its field,
    and never a password."""
    case = CASES[name]
    client = demo.client_for(case.role)
    url = _fill(case.url, demo)
    page_url = _fill(case.page or case.url, demo)
    page = client.get(page_url).get_data(as_text=True)
    data = case.data(demo, page) if callable(case.data) else case.data
    response = post(client, url, data, page=page_url)
    html = response.get_data(as_text=True)
    assert response.status_code == case.status, html[:2000]
    check_reshown(html, case.typed, case.errors)
    for secret in case.secrets:
        assert secret not in html, "a password was sent back"


def test_a_bad_search_filter_is_shown_beside_it_with_the_search_kept(demo: Demo) -> None:
    """A malformed filter answers 400 and says so beside that filter, keeping
    the words and the other filters typed."""
    client = demo.client_for("member")
    response = client.get(
        "/search",
        query_string={"q": "trust", "meeting_from": "eight", "kind": "quote", "to": "2025-13"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    check_reshown(
        html,
        {
            "search-q": "trust",
            "search-meeting-from": "eight",
            "search-kind": "quote",
            "search-to": "2025-13",
        },
        {"search-meeting-from": "whole meeting number"},
    )


def test_a_stale_circulation_form_says_nothing_was_sent(demo: Demo) -> None:
    """Sending with a page that was out of date answers 422 and says, at the
    top and in plain words, that nothing was sent."""
    client = demo.client_for("facilitator")
    url = f"{MEETING_URL}/circulate"
    response = post(client, url, {"confirm": "not-a-number"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    _by_id, parents = parse(html)
    summary = [e for e in parents if "error-summary" in (e.get("class") or "")]
    assert summary and "nothing was sent" in text(summary[0])


def test_a_refused_override_keeps_the_reason_beside_its_finding(demo: Demo) -> None:
    """An override without a reason answers 422 with the message beside the
    reason box of that very place."""
    with demo.app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.number == NOTES_MEETING))
        item = db.session.scalars(
            sa.select(Item).where(
                Item.meeting_id == meeting.id, Item.confidentiality == Confidentiality.OPEN
            )
        ).first()
        assert item is not None
        # A first name no audience may read, left in the notes: a finding.
        item.body = "As Ruth said, the pilot ran for six months."
        db.session.commit()
    client = demo.client_for("facilitator")
    page_url = f"{MEETING_URL}/leak-check"
    page = client.get(page_url).get_data(as_text=True)
    found = re.search(r'action="([^"]+/override)".*?name="findings" value="([^"]+)"', page, re.S)
    assert found, "the leak check found nothing to override"
    action, key = found.groups()
    response = post(client, action, {"findings": key, "reason": "  "}, page=page_url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    by_id, _parents = parse(html)
    errors = [e for e in by_id if e.endswith("-error") and "Write why" in text(by_id[e])]
    assert errors, "no message beside the reason"
    reason = by_id[errors[0].removesuffix("-error") + "-reason"]
    assert errors[0] in reason.get("aria-describedby", "")
