"""The Atom feeds the app serves, read as XML by a parser that is not the
one that wrote them: the elements RFC 4287 requires, and ids that stay the
same however often, and from whichever name, they are read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Series
from tests.publishing.writeups.writeup_support import (
    log_in,
    publish,
    save,
    world_fixture,  # noqa: F401 - a fixture
)

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app_config():
    return {"SEARCH_APPLY_ON_COMMIT": False}


def atom(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())  # noqa: S314 - our own output


def rfc3339(text: str | None) -> datetime:
    assert text and (text.endswith("Z") or text[-6] in "+-"), text
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None
    return parsed


def one(parent: ET.Element, tag: str) -> str:
    found = parent.findall(f"{A}{tag}")
    assert len(found) == 1, (tag, len(found))
    assert (found[0].text or "").strip(), tag
    return found[0].text or ""


def check_atom(root: ET.Element) -> list[str]:
    """RFC 4287, 4.1.1 and 4.1.2: one id (an absolute IRI), title and
    updated on the feed and on each entry; an author for the feed (so for
    every entry); an alternate link on each entry. The entries' ids."""
    assert root.tag == f"{A}feed"
    assert one(root, "id").startswith(("http://", "https://"))
    one(root, "title")
    updated = rfc3339(one(root, "updated"))
    assert root.findall(f"{A}author/{A}name")
    assert [link.get("rel") for link in root.findall(f"{A}link")].count("self") == 1
    ids = []
    for entry in root.findall(f"{A}entry"):
        ids.append(one(entry, "id"))
        assert ids[-1].startswith("tag:")
        one(entry, "title")
        assert rfc3339(one(entry, "updated")) <= updated
        alternate = [e for e in entry.findall(f"{A}link") if e.get("rel") in (None, "alternate")]
        assert len(alternate) == 1 and alternate[0].get("href", "").startswith("http")
    assert len(ids) == len(set(ids))
    return ids


def test_every_atom_feed_has_what_rfc_4287_requires_and_stable_ids(app, world):
    """Both Atom feeds, with entries: required elements present once, entry
    ids unique, and the same on every read, from any host name, and after
    the series is renamed."""
    facilitator = app.test_client()
    log_in(facilitator, "facilitator@example.org")
    assert save(facilitator, "Summary.", [world["quote"]]).status_code == 302
    assert publish(facilitator).status_code == 302
    other = "/series/other/meetings/1/writeup"
    assert save(facilitator, "Elsewhere.", [world["elsewhere"]], base=other).status_code == 302
    assert publish(facilitator, base=other).status_code == 302
    reader = app.test_client()
    for path in ("/writeups.atom", "/series/cop/writeups.atom"):
        first = check_atom(atom(reader, path))
        assert first
        again = check_atom(atom(reader, path))
        from_elsewhere = reader.get(path, headers={"Host": "evil.example"}).get_data()
        assert check_atom(ET.fromstring(from_elsewhere)) == first == again  # noqa: S314
    before = check_atom(atom(reader, "/writeups.atom"))
    with app.app_context():
        db.session.scalar(sa.select(Series).where(Series.slug == "cop")).title = "Renamed"
        db.session.commit()
    assert check_atom(atom(reader, "/writeups.atom")) == before
