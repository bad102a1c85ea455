"""Every absolute URL, UID and id the app writes comes from the site's
address (``BASE_URL``), never from the Host header of the request: two
names for the site, or a proxy's X-Forwarded-Host, give byte-identical
feeds and exports, and links typed relative in the notes leave the exports
absolute, at the site's address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import time

import pytest
from icalendar import Calendar

from notesbase.db import db
from notesbase.disclosure import Confidentiality, Kind
from notesbase.models import Meeting, Series
from notesbase.notes import items
from tests.conftest import csrf_token_from, post_form
from tests.publishing.circulation.circulation_support import outbox_messages
from tests.publishing.writeups.writeup_support import build_world, log_in, publish, save

SITE = "https://notes.example.org/network"
RELATIVE_LINKS = "See [the second meeting](/series/cop/meetings/2) and [the agenda](agenda)."
# The same request as it might arrive: on another name, or through a proxy
# (trusted here: PROXY_FIX_HOPS is 1) that says it was asked for another host.
REQUESTS_FROM = {
    "localhost": {"Host": "localhost"},
    "another name": {"Host": "127.0.0.1:5000"},
    "a hostile name": {"Host": "evil.example:8080"},
    "a proxy": {
        "Host": "localhost",
        "X-Forwarded-Host": "proxy.example",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "8443",
        "X-Forwarded-Prefix": "/elsewhere",
        "X-Forwarded-For": "203.0.113.9",
    },
}
FEEDS = ["/calendar.ics", "/series/cop/calendar.ics", "/writeups.atom", "/series/cop/writeups.atom"]
EXPORTS = ["/series/cop/meetings/1/notes.md", "/series/cop/meetings/1/writeup.md"]
A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app_config():
    return {
        "SERVER_NAME": None,
        "BASE_URL": SITE,
        "PROXY_FIX_HOPS": 1,
        "SEARCH_APPLY_ON_COMMIT": False,
    }


@pytest.fixture
def world(app, make_member, make_series):
    """Meetings with start times, a relative link in the notes, and a
    published write-up carrying it."""
    found = build_world(app, make_member, make_series)
    with app.app_context():
        first = db.session.get(Meeting, db.session.get(Series, 1).meetings[0].id)
        first.start_time = time(18, 30)
        fields = items.ItemFields(Kind.POINT, RELATIVE_LINKS, "Links")
        fields.confidentiality = Confidentiality.OPEN
        found["links"] = items.create_item(first, fields, actor=None).id
        db.session.commit()
    client = app.test_client()
    log_in(client, "facilitator@example.org")
    assert save(client, "Our summary.", [found["quote"], found["links"]]).status_code == 302
    assert publish(client).status_code == 302
    found["facilitator"] = client
    return found


def logged_in_everywhere(client) -> None:
    """The login cookie (set for localhost) sent whatever name is asked for,
    as a browser logged in on each name would."""
    for key in ("session",):
        cookie = client.get_cookie(key)
        if cookie is not None:
            for domain in ("127.0.0.1", "evil.example"):
                client.set_cookie(key, cookie.value, domain=domain)


def fetch_everywhere(client, path: str) -> dict[str, bytes]:
    logged_in_everywhere(client)
    bodies = {}
    for name, headers in REQUESTS_FROM.items():
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, name, response.status_code)
        bodies[name] = response.get_data()
    return bodies


@pytest.mark.parametrize("path", FEEDS + EXPORTS)
def test_the_same_bytes_whatever_host_asked(world, path):
    """Calendars, Atom feeds, the notes' Markdown and the write-up's page:
    the same bytes for every Host and X-Forwarded-* header, all at BASE_URL."""
    bodies = fetch_everywhere(world["facilitator"], path)
    first = bodies["localhost"]
    assert all(body == first for body in bodies.values()), path
    text = first.decode("utf-8").replace("\r\n ", "")  # iCalendar folds long lines
    assert SITE + "/series/cop" in text
    for other in ("localhost", "127.0.0.1", "evil.example", "proxy.example", "elsewhere"):
        assert other not in text, (path, other)


def test_calendar_uids_and_urls_are_the_sites(world):
    """UIDs name the site's host; each event's URL is its public page there."""
    body = fetch_everywhere(world["facilitator"], "/series/cop/calendar.ics")["a proxy"]
    events = Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 2
    for event in events:
        assert str(event["uid"]).endswith("@notes.example.org")
        assert str(event["url"]).startswith(SITE + "/series/cop/meetings/")


def test_atom_ids_and_links_are_the_sites(world):
    """Feed id and links, entry ids (tag URIs) and links: at the site."""
    body = fetch_everywhere(world["facilitator"], "/series/cop/writeups.atom")["a hostile name"]
    feed = ET.fromstring(body)  # noqa: S314 - our own output
    assert feed.findtext(f"{A}id") == SITE + "/series/cop/writeups.atom"
    assert {link.get("href") for link in feed.findall(f"{A}link")} == {
        SITE + "/series/cop/writeups.atom",
        SITE + "/series/cop",
    }
    (entry,) = feed.findall(f"{A}entry")
    assert entry.findtext(f"{A}id").startswith("tag:notes.example.org,")
    assert entry.find(f"{A}link").get("href") == SITE + "/series/cop/meetings/1/writeup"


def test_relative_links_in_the_notes_are_absolute_in_the_exports(world):
    """A link typed relative reads as it did on the page it was shown on:
    from the notes page for the notes export, from the public write-up page
    for the website's Markdown page."""
    client = world["facilitator"]
    notes = client.get("/series/cop/meetings/1/notes.md").get_data(as_text=True)
    assert "(<https://notes.example.org/series/cop/meetings/2>)" in notes
    assert f"(<{SITE}/series/cop/meetings/1/agenda>)" in notes
    page = client.get("/series/cop/meetings/1/writeup.md").get_data(as_text=True)
    assert "(https://notes.example.org/series/cop/meetings/2)" in page
    assert f"({SITE}/series/cop/meetings/1/agenda)" in page
    # On the site itself the links stay as typed (the browser resolves them).
    html = client.get("/series/cop/meetings/1/notes").get_data(as_text=True)
    assert 'href="/series/cop/meetings/2"' in html


def test_the_emailed_link_is_at_the_site(app, world):
    """Circulating from a request that came in on another name: the link
    in every message is the notes page at BASE_URL."""
    client = world["facilitator"]
    logged_in_everywhere(client)
    page = "/series/cop/meetings/1/circulate"
    confirmation = client.get(page + "/confirm", headers={"Host": "evil.example"})
    fingerprint = re.search(
        r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', confirmation.get_data(as_text=True)
    )
    assert fingerprint, confirmation.get_data(as_text=True)
    response = post_form(
        client,
        page,
        {"fingerprint": fingerprint.group(1)},
        page=page,
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    received = outbox_messages(app)
    assert received
    for each in received:
        text = each.message.get_body(("plain",)).get_content()
        assert f"{SITE}/series/cop/meetings/1/notes" in text
        assert "evil.example" not in each.message.as_string()


def test_the_invitation_link_is_at_the_site(app, world):
    """The link an admin copies from the invitation page."""
    from notesbase.models import Role
    from tests.conftest import PASSWORD

    admin = app.test_client()
    with app.app_context():
        from notesbase.auth.passwords import hash_password
        from notesbase.models import Member

        db.session.add(
            Member(
                email="admin@example.org",
                display_name="Admin",
                password_hash=hash_password(PASSWORD),
                role=Role.ADMIN,
            )
        )
        db.session.commit()
    log_in(admin, "admin@example.org")
    logged_in_everywhere(admin)
    evil = {"Host": "evil.example"}
    form = admin.get("/admin/invites", headers=evil).get_data(as_text=True)
    response = admin.post(
        "/admin/invites",
        data={"csrf_token": csrf_token_from(form), "email": "new@example.org", "role": "member"},
        headers=evil,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[html.find("<main") :][:1500]
    assert f"{SITE}/invite/" in html and "evil.example" not in html


def test_unset_the_ids_still_never_follow_the_host(app, world):
    """Without BASE_URL or SERVER_NAME (and no server's address): the
    fallback, http://localhost, for every request alike."""
    app.config.update(BASE_URL=None)
    for path in FEEDS:
        bodies = fetch_everywhere(world["facilitator"], path)
        first = bodies["localhost"]
        assert all(body == first for body in bodies.values()), path
        text = first.decode("utf-8").replace("\r\n ", "")
        assert "http://localhost/series/cop" in text
        assert "evil.example" not in text and "proxy.example" not in text
