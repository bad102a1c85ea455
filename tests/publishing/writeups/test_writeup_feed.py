"""The Atom feeds of published write-ups: valid Atom (parsed with
xml.etree: id, updated, entries with link and summary), per series and for
all series, only published write-ups, and always the current public view."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from notesbase.consent import grants
from notesbase.db import db
from notesbase.models import Person
from tests.conftest import post_form
from tests.publishing.writeups.writeup_support import (
    CONFIDENTIAL,
    HIDDEN,
    MEMBERS_ONLY,
    NAMED,
    SPAN,
    UNPUBLISH,
    facilitator_fixture,  # noqa: F401 - a fixture
    publish,
    save,
    world_fixture,  # noqa: F401 - a fixture
)

A = "{http://www.w3.org/2005/Atom}"
SERIES_FEED = "/series/cop/writeups.atom"
ALL_FEED = "/writeups.atom"


@pytest.fixture
def app_config():
    return {"SEARCH_APPLY_ON_COMMIT": False}


def feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own output
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        assert (root.findtext(f"{A}{tag}") or "").strip(), tag
    datetime.fromisoformat(root.findtext(f"{A}updated").replace("Z", "+00:00"))
    assert root.find(f"{A}author/{A}name") is not None
    self_link = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link and self_link[0].get("href").endswith(url)
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    found = root.findall(f"{A}entry")
    for entry in found:
        for tag in ("id", "title", "updated", "published", "summary"):
            assert entry.find(f"{A}{tag}") is not None, tag
        datetime.fromisoformat(entry.findtext(f"{A}updated").replace("Z", "+00:00"))
        link = entry.find(f"{A}link")
        assert link is not None and link.get("href", "").startswith("http")
    return found


def publish_both(app, facilitator, world, summary: str = "We met & <agreed>.") -> None:
    save(facilitator, summary, [world["quote"], world["mention"]])
    assert publish(facilitator).status_code == 302
    base = "/series/cop/meetings/2/writeup"
    save(facilitator, "Second.", [world["second"]], base=base)
    assert publish(facilitator, base=base).status_code == 302
    other = "/series/other/meetings/1/writeup"
    save(facilitator, "Elsewhere.", [world["elsewhere"]], base=other)
    assert publish(facilitator, base=other).status_code == 302


def test_empty_feeds_are_valid(client, world):
    assert entries(feed(client, SERIES_FEED)) == []
    assert entries(feed(client, ALL_FEED)) == []
    assert client.get("/series/nope/writeups.atom").status_code == 404


def test_feeds_list_published_writeups(app, client, world, facilitator):
    """Series feed: that series only, latest meeting first; the all-series
    feed: every series. Escaped text parses back as typed."""
    save(facilitator, "A draft.", [world["quote"]], base="/series/cop/meetings/2/writeup")
    publish_both(app, facilitator, world)
    series_entries = entries(feed(client, SERIES_FEED))
    titles = [e.findtext(f"{A}title") for e in series_entries]
    assert titles == [
        "Community of Practice: Write-up of meeting 2: Second meeting",
        "Community of Practice: Write-up of meeting 1: First meeting",
    ]
    first = series_entries[1]
    assert first.find(f"{A}link").get("href") == "http://localhost/series/cop/meetings/1/writeup"
    assert first.findtext(f"{A}summary") == "We met & <agreed>."
    assert first.findtext(f"{A}id").startswith("tag:localhost,")
    assert len({e.findtext(f"{A}id") for e in series_entries}) == 2
    everything = entries(feed(client, ALL_FEED))
    assert len(everything) == 3
    assert any("Another series" in e.findtext(f"{A}title") for e in everything)


def test_feed_is_the_current_public_view(app, client, world, facilitator):
    """Nothing the public may not see; a withdrawal shows at the next request;
    an unpublished write-up leaves the feed."""
    publish_both(app, facilitator, world, summary=f"{NAMED} and {HIDDEN} spoke.")
    raw = client.get(SERIES_FEED).get_data(as_text=True)
    assert NAMED in raw
    for secret in (CONFIDENTIAL, MEMBERS_ONLY, SPAN, HIDDEN, "Hiddenname"):
        assert secret not in raw
    with app.app_context():
        person = db.session.query(Person).filter_by(name=NAMED).one()
        grants.withdraw_all(person, actor=None)
        db.session.commit()
    raw = client.get(ALL_FEED).get_data(as_text=True)
    assert NAMED not in raw and "Quillfeather" not in raw
    post_form(facilitator, UNPUBLISH, {}, page="/series/cop/meetings/1/writeup/edit")
    titles = [e.findtext(f"{A}title") for e in entries(feed(client, SERIES_FEED))]
    assert titles == ["Community of Practice: Write-up of meeting 2: Second meeting"]


def test_characters_xml_cannot_carry_are_dropped(app, client, world, facilitator):
    """A control character typed into the summary does not break the feed."""
    save(facilitator, "Bell\x07 and form\x0cfeed.", [world["quote"]])
    publish(facilitator)
    summary = entries(feed(client, SERIES_FEED))[0].findtext(f"{A}summary")
    assert "Bell" in summary and "\x07" not in summary
