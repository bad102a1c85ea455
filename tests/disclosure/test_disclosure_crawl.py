"""Crawl every page and API response as the public, as a member of another
series and as a member of the series, and check that planted confidential
strings and unreleased names appear nowhere they must not."""

from __future__ import annotations

import html
import re
from collections import deque
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from notesbase.consent import grants
from notesbase.consent.grants import Scope
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.disclosure.matching import contains_any
from notesbase.models import Meeting, Member, Role, Series
from notesbase.notes import items, people
from tests.conftest import PASSWORD, csrf_token_from

CONFIDENTIAL_ITEM = "Qzvkorblat"
CONFIDENTIAL_SPAN = "Wexplintor"
MEMBERS_ITEM = "Yoradmifex"
MEMBERS_SPAN = "Tulvanquist"
OPEN_TEXT = "Bremsgardle"

# name, affiliation, descriptor, email, {audience: level}
PEOPLE = {
    "named_for_members": (
        "Xylia Vantablack",
        "Quorvex Institute",
        "a zephyrine analyst",
        "xylia@quorvex.example",
        {ConsentAudience.MEMBER: Level.NAMED},
    ),
    "never_released": (
        "Oswin Plumtrevor",
        "Glimmerstaff Trust",
        "a kestrelwood organiser",
        "oswin@glimmerstaff.example",
        {},
    ),
    "descriptor_and_affiliation": (
        "Hesper Dunwoody",
        "Marrowgate Council",
        "a vellichor data lead",
        None,
        {ConsentAudience.MEMBER: Level.DESCRIPTOR, ConsentAudience.PUBLIC: Level.AFFILIATION},
    ),
}
WITHDRAWN = ("Ingram Falloway", "Sorrelbrook Lab", "a tamsin researcher", None)


def _identity_terms(person: tuple) -> dict[str, str]:
    name, affiliation, descriptor, email = person[:4]
    terms = {"name": name, "surname": name.split()[-1], "affiliation": affiliation}
    terms["descriptor"] = descriptor
    if email:
        terms["email"] = email
    return terms


def _withheld(audience: ConsentAudience | None) -> set[str]:
    """Every planted identifier this audience may not see (None: the public)."""
    audience = audience or ConsentAudience.PUBLIC
    withheld: set[str] = set(_identity_terms(WITHDRAWN).values())
    for person in PEOPLE.values():
        level = person[4].get(audience, Level.ANONYMOUS)
        public = person[4].get(ConsentAudience.PUBLIC, Level.ANONYMOUS)
        if public.rank > level.rank:  # members never see less than the public
            level = public
        terms = _identity_terms(person)
        withheld.add(terms.pop("email", "") or "")
        if level is not Level.NAMED:
            withheld |= {terms["name"], terms["surname"]}
        if level.rank < Level.AFFILIATION.rank:
            withheld.add(terms["affiliation"])
        if level.rank < Level.DESCRIPTOR.rank:
            withheld.add(terms["descriptor"])
    return {term for term in withheld if term}


@pytest.fixture
def world(app, make_member):
    """A series whose meeting has notes planted with secrets and names, a
    second series, and members of each."""
    with app.app_context():
        series = Series(slug="cop", title="Community of Practice")
        other = Series(slug="other", title="Other Network")
        meeting = Meeting(series=series, number=1, title="First", date=date(2025, 1, 15))
        Meeting(series=other, number=1, title="Elsewhere", date=date(2025, 1, 16))
        db.session.add_all([series, other])
        db.session.flush()
        by_key = {}
        for key, (name, affiliation, descriptor, email, levels) in PEOPLE.items():
            person = people.create_person(
                people.PersonFields(name, affiliation, descriptor, email), actor=None
            )
            for audience, level in levels.items():
                grants.grant(person, audience, level, Scope(), actor=None)
            by_key[key] = person
        gone = people.create_person(people.PersonFields(*WITHDRAWN), actor=None)
        for audience in ConsentAudience:
            consent = grants.grant(gone, audience, Level.NAMED, Scope(), actor=None)
            grants.withdraw(consent, actor=None)
        everyone = ", ".join(
            f"{p[0]} of {p[1]} ({p[2]}, {p[3] or 'no email'})"
            for p in (*PEOPLE.values(), WITHDRAWN)
        )
        planted = [
            (
                "Open",
                OPEN_TEXT + f" said by **{everyone}**",
                Confidentiality.OPEN,
                "never_released",
            ),
            (
                "Open spans",
                f"Shared [{CONFIDENTIAL_SPAN}]{{.confidential}} and [{MEMBERS_SPAN}]{{.members}}.",
                Confidentiality.OPEN,
                "named_for_members",
            ),
            (
                "Members",
                f"{MEMBERS_ITEM} agreed",
                Confidentiality.MEMBERS,
                "descriptor_and_affiliation",
            ),
            (
                f"Secret {CONFIDENTIAL_ITEM}",
                f"{CONFIDENTIAL_ITEM} in confidence",
                Confidentiality.CONFIDENTIAL,
                "never_released",
            ),
            (f"Heading naming {WITHDRAWN[0]}", "A point.", Confidentiality.OPEN, None),
        ]
        created = []
        for section, body, confidentiality, speaker in planted:
            created.append(
                items.create_item(
                    meeting,
                    items.ItemFields(
                        kind=Kind.QUOTE,
                        body=body,
                        section=section,
                        speaker_id=by_key[speaker].id if speaker else None,
                        confidentiality=confidentiality,
                    ),
                    actor=None,
                )
            )
        db.session.commit()
        ids = {
            "slug": "cop",
            "number": 1,
            "item_id": created[0].id,
            "person_id": by_key["never_released"].id,
            "consent_id": 1,
            "member_id": 1,
            "invite_id": 1,
            "series_id": series.id,
            "meeting_id": meeting.id,
            "token_id": 1,
        }
    make_member("member@example.org", series=[series])
    make_member("elsewhere@example.org", series=[other])
    make_member("facilitator@example.org", role=Role.FACILITATOR)
    return ids


def _login(client, email):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302


def _api_token(app, email):
    from notesbase.auth import tokens

    with app.app_context():
        member = db.session.scalar(sa.select(Member).where(Member.email == email))
        _row, token = tokens.create_token(member, name="crawl", actor=None)
        db.session.commit()
        return token


LINK = re.compile(r'(?:href|src|action)="(/[^"#]*)"')


def _seeds(app, values) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            try:
                urls.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
            except KeyError:
                continue
    return urls


def crawl(app, client, values, headers=None, limit=400) -> dict[str, str]:
    """Every same-site page reachable by GET from the routes and their links."""
    seen: dict[str, str] = {}
    queue = deque(_seeds(app, values))
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(("/static/", "/logout")):
            continue
        response = client.get(url, headers=headers or {})
        if response.mimetype == "application/pdf":
            # Binary; its text is checked in tests/publishing/exports/test_exports_pdf.py.
            seen[url] = ""
            continue
        body = response.get_data(as_text=True)
        seen[url] = body
        for link in LINK.findall(body):
            link = html.unescape(link)
            if link not in seen:
                queue.append(link)
    return seen


def _leaks(pages: dict[str, str], withheld: set[str], secrets: set[str]) -> list[tuple[str, list]]:
    found = []
    for url, body in pages.items():
        text = html.unescape(body)
        hits = contains_any(text, withheld | secrets)
        if hits:
            found.append((url, hits))
    return found


@pytest.mark.parametrize("who", ["public", "elsewhere@example.org", "member@example.org"])
def test_no_page_or_api_response_leaks(app, client, world, who):
    """Nothing confidential, and no name, affiliation, descriptor or email the
    reader may not see, in any page or API response they can reach."""
    headers = None
    if who != "public":
        _login(client, who)
        headers = {"Authorization": f"Bearer {_api_token(app, who)}"}
    in_series = who == "member@example.org"
    secrets = {CONFIDENTIAL_ITEM, CONFIDENTIAL_SPAN}
    if not in_series:
        secrets |= {MEMBERS_ITEM, MEMBERS_SPAN, OPEN_TEXT}
    withheld = _withheld(ConsentAudience.MEMBER if in_series else None)
    pages = crawl(app, client, world)
    pages.update({f"API {u}": b for u, b in crawl(app, app.test_client(), world, headers).items()})
    assert len(pages) > 20
    assert _leaks(pages, withheld, secrets) == []
    if in_series:
        # The crawl reached the notes: what members may see is there.
        everything = "\n".join(pages.values())
        assert MEMBERS_ITEM in everything and MEMBERS_SPAN in everything
        assert "Xylia Vantablack" in everything


def test_facilitator_crawl_sees_the_planted_secrets(app, client, world):
    """The planting is real: a facilitator reaches every planted string."""
    _login(client, "facilitator@example.org")
    everything = "\n".join(crawl(app, client, world).values())
    for planted in (CONFIDENTIAL_ITEM, CONFIDENTIAL_SPAN, MEMBERS_ITEM, "Oswin Plumtrevor"):
        assert planted in everything
