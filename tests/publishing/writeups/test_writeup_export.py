"""The write-up's Markdown page for the network's website: front matter in
the shape of the event pages (same keys, ``writeup: true``, no author),
parsed with yaml; an attachment with a safe file name; the CLI writes the
same page; both refused while the leak check finds something."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from notesbase.db import db
from notesbase.models import AuditEvent
from tests.publishing.writeups.writeup_support import (
    CONFIDENTIAL,
    EXPORT,
    HIDDEN,
    MEMBERS_ONLY,
    NAMED_CREDIT,
    SPAN,
    facilitator_fixture,  # noqa: F401 - a fixture
    load_meeting,
    save,
    world_fixture,  # noqa: F401 - a fixture
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


@pytest.fixture
def app_config():
    return {"SEARCH_APPLY_ON_COMMIT": False}


def split(text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
    assert match, text[:200]
    return yaml.safe_load(match[1]), match[2]


def fixture_keys() -> set[str]:
    keys: set[str] = set()
    pages = sorted(FIXTURES.glob("*.md"))
    assert pages
    for page in pages:
        keys |= set(split(page.read_text(encoding="utf-8"))[0])
    return keys


def test_markdown_page_has_the_event_pages_front_matter(app, world, facilitator):
    """Same keys as the network's event pages, minus ``author``, with
    ``writeup: true``; the body is the public write-up and nothing else."""
    save(facilitator, f"**We met.** {HIDDEN} came.", [world["quote"], world["mention"]])
    response = facilitator.get(EXPORT)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/markdown"
    disposition = response.headers["Content-Disposition"]
    name = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"', disposition)[1]
    assert name == "2025-01-15-cop-1.md"
    matter, body = split(response.get_data(as_text=True))
    assert set(matter) == (fixture_keys() - {"author"}) | {"writeup"}
    assert matter["writeup"] is True
    assert matter["title"] == "Community of Practice"
    assert matter["date"] == date(2025, 1, 15)
    assert matter["topics"] == ["Open data"]
    assert matter["upcoming"] is False
    assert matter["layout"] == "event"
    assert "**We met.**" in body and "<!--more-->" in body
    assert NAMED_CREDIT in body and "Publish the data openly." in body
    assert "## Money" in body
    text = response.get_data(as_text=True)
    for secret in (CONFIDENTIAL, MEMBERS_ONLY, SPAN, HIDDEN, "Hiddenname"):
        assert secret not in text
    # No author or reviewer: not the facilitator who wrote it, by name or email.
    for author in ("Fiona", "facilitator@example.org", "author:", "reviewer"):
        assert author not in text


def test_imported_meeting_keeps_its_page_name_and_site_keys(app, world, facilitator):
    """A meeting imported from an event page: its file name and site keys
    (image, category, project) come back; its ``author`` never does."""
    with app.app_context():
        meeting = load_meeting()
        meeting.source_ref = "2025-01-15-community-of-practice"
        meeting.source_extra = {
            "image": "cbd-logo.png",
            "category": "organising",
            "project": ["Giving communities a powerful say"],
            "featured": True,
            "author": "Gavin Freeguard",
        }
        db.session.commit()
    save(facilitator, "Summary.", [world["quote"]])
    response = facilitator.get(EXPORT)
    assert (
        'filename="2025-01-15-community-of-practice.md"' in response.headers["Content-Disposition"]
    )
    text = response.get_data(as_text=True)
    matter, _body = split(text)
    assert matter["image"] == "cbd-logo.png"
    assert matter["category"] == "organising"
    assert matter["project"] == ["Giving communities a powerful say"]
    assert matter["featured"] is True
    assert "Gavin" not in text and "author" not in matter


def test_export_is_refused_while_the_leak_check_finds_something(app, world, facilitator):
    save(facilitator, f"Quote: {CONFIDENTIAL}.", [world["quote"]])
    response = facilitator.get(EXPORT)
    assert response.status_code == 409
    assert "Content-Disposition" not in response.headers
    assert "leak check" in response.get_data(as_text=True).lower()


def test_no_writeup_no_export(world, facilitator):
    assert facilitator.get(EXPORT).status_code == 404


def test_cli_writes_the_same_page(app, runner, world, facilitator, tmp_path):
    """``notesbase export writeup cop 1 -o FILE`` writes what the page serves."""
    save(facilitator, "Summary.", [world["quote"]])
    served = facilitator.get(EXPORT).get_data(as_text=True)
    out = tmp_path / "page.md"
    result = runner.invoke(args=["export", "writeup", "cop", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == served
    result = runner.invoke(args=["export", "writeup", "cop", "1"])
    assert result.exit_code == 0 and result.output == served
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="writeup.publish").count() == 0


def test_cli_refuses_a_leak_and_a_missing_writeup(app, runner, world, facilitator, tmp_path):
    out = tmp_path / "page.md"
    result = runner.invoke(args=["export", "writeup", "cop", "2", "-o", str(out)])
    assert result.exit_code != 0 and "no write-up" in result.output
    save(facilitator, f"Quote: {CONFIDENTIAL}.", [world["quote"]])
    result = runner.invoke(args=["export", "writeup", "cop", "1", "-o", str(out)])
    assert result.exit_code != 0
    assert "leak check" in result.output and "summary" in result.output
    assert not out.exists()
    result = runner.invoke(args=["export", "writeup", "nope", "1"])
    assert result.exit_code != 0 and "no series" in result.output
