"""Overrides are narrow: a facilitator's override covers one finding, one
item (or the summary, or the meeting's details) at its present text and one
match, on the real channels. An edit of that item, or the same words found at
another place, is a new finding that blocks the email and the write-up until
it is decided itself; overrides stored under the earlier key shapes fail
closed. The leak-check page groups the findings by what was found and offers
one override per place."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa

from notesbase.db import db
from notesbase.disclosure import Kind
from notesbase.meetings import service
from notesbase.models import Item, LeakOverride, Meeting, Role, Series
from notesbase.notes.items import ItemFields, create_item, reorder, update_item
from notesbase.notes.people import PersonFields, create_person
from notesbase.publishing.circulation import service as circulation_service
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck.check import LeakCheckFailed
from notesbase.publishing.leakcheck.keys import match_key
from notesbase.publishing.writeups import service as writeup_service
from tests.conftest import post_form

LOVELACE = "Ada Lovelace wrote the first program."
MERGER = "The merger with Northwind Holdings is off until September"
BUDGET = "Ada said the budget will be cut."
PAGE = "/series/cop/meetings/1/leak-check"
OVERRIDE = PAGE + "/override"
EMAIL = "circulation"
WRITEUP = "writeup"


@pytest.fixture
def world(app, make_series):
    """Series 'cop', meeting 1, and Ada Byron, who has released nothing: her
    first name alone is a finding wherever it is typed."""
    cop = make_series("cop", "Community of Practice")
    with app.app_context():
        series = db.session.get(Series, cop.id)
        service.create_meeting(
            series, service.MeetingFields(number=1, title="Open data", date=date(2025, 1, 15))
        )
        create_person(PersonFields("Ada Byron", "Analytical Society"), actor=None)
        db.session.commit()


def meeting() -> Meeting:
    found = db.session.scalar(sa.select(Meeting).where(Meeting.number == 1))
    assert found is not None
    return found


def add(body: str) -> int:
    item = create_item(meeting(), ItemFields(Kind.POINT, body, "History"), actor=None)
    db.session.commit()
    return item.id


def edit(item_id: int, body: str) -> None:
    item = db.session.get(Item, item_id)
    assert item is not None
    update_item(item, ItemFields(Kind.POINT, body, "History"), actor=None)
    db.session.commit()


def ada(channel: str) -> list[leakcheck.Finding]:
    """The findings of Ada's first name on ``channel``, in order of place."""
    report = leakcheck.check(meeting(), channel)
    return [f for f in report.findings if f.rule == "name" and match_key(f.match) == "ada"]


def override_all(channel: str, reason: str = "Ada Lovelace, not our Ada") -> None:
    for finding in ada(channel):
        if finding.override is None:
            leakcheck.override(meeting(), channel, finding.key, reason, actor=None)
    db.session.commit()


def blocking(channel: str) -> list[str]:
    return [f.where for f in leakcheck.check(meeting(), channel).blocking]


def test_the_same_name_in_a_new_item_blocks_the_email(app, world):
    """'Ada' overridden at an item reading 'Ada Lovelace ...' leaves a new
    item 'Ada said the budget will be cut' standing: the email is refused."""
    with app.app_context():
        add(LOVELACE)
        override_all(EMAIL)
        circulation_service.prepare(meeting())  # cleared: nothing stands
        add(BUDGET)
        with pytest.raises(LeakCheckFailed) as failed:
            circulation_service.prepare(meeting())
        assert [f.where for f in failed.value.report.blocking] == ["item 2"]


def test_editing_the_overridden_item_asks_again(app, world):
    """An override holds for its item at its version: any edit of the item
    (even one keeping the name) is a new finding that blocks the email."""
    with app.app_context():
        first = add(LOVELACE)
        override_all(EMAIL)
        assert blocking(EMAIL) == []
        edit(first, LOVELACE + " " + BUDGET)
        assert blocking(EMAIL) == ["item 1"]
        [finding] = ada(EMAIL)
        assert finding.version == 2 and finding.override is None
        with pytest.raises(LeakCheckFailed):
            circulation_service.prepare(meeting())


def test_an_edit_back_to_the_same_text_asks_again(app, world):
    """A new version is a new finding, even when its text is one decided before."""
    with app.app_context():
        first = add(LOVELACE)
        override_all(EMAIL)
        edit(first, BUDGET)
        edit(first, LOVELACE)
        assert blocking(EMAIL) == ["item 1"]


def test_moving_an_item_is_not_an_edit(app, world):
    """Reordering raises no content version: the override follows its item."""
    with app.app_context():
        first = add(LOVELACE)
        second = add("The register is due in May.")
        override_all(EMAIL)
        reorder(meeting(), [second, first], actor=None)
        db.session.commit()
        [finding] = ada(EMAIL)
        assert finding.where == "item 2" and finding.override is not None


def test_one_override_is_one_match(app, world):
    """An override of Ada's name at an item covers that match only: another
    finding at the same item (words of a confidential item) still stands."""
    from notesbase.disclosure import Confidentiality

    with app.app_context():
        secret = ItemFields(Kind.POINT, MERGER, "History", None, Confidentiality.CONFIDENTIAL)
        create_item(meeting(), secret, actor=None)
        add(f"Ada Lovelace heard that {MERGER.lower()}.")
        override_all(EMAIL)
        assert [f.rule for f in leakcheck.check(meeting(), EMAIL).blocking] == ["confidential"]


def test_the_write_up_summary_is_one_text(app, world):
    """'Ada' overridden in the write-up's summary covers that summary only:
    a new summary naming her is refused (published, it is not saved)."""
    with app.app_context():
        writeup_service.save_writeup(meeting(), LOVELACE, [], actor=None, expected_version=None)
        db.session.commit()
        assert blocking(WRITEUP) == ["summary"]
        override_all(WRITEUP)
        writeup_service.publish_writeup(meeting(), actor=None)
        db.session.commit()
        with pytest.raises(LeakCheckFailed) as failed:
            writeup_service.save_writeup(
                meeting(), LOVELACE + " " + BUDGET, [], actor=None, expected_version=None
            )
        assert [f.where for f in failed.value.report.blocking] == ["summary"]
        db.session.rollback()


def test_an_included_item_edited_or_added_blocks_the_write_up(app, world):
    """An item of the write-up edited after its override, or a new item
    with the same name, keeps the write-up from being published."""
    with app.app_context():
        first = add(LOVELACE)
        writeup_service.save_writeup(meeting(), "", [first], actor=None, expected_version=None)
        db.session.commit()
        override_all(WRITEUP)
        assert blocking(WRITEUP) == []
        second = add(BUDGET)
        writeup_service.save_writeup(
            meeting(), "", [first, second], actor=None, expected_version=None
        )
        db.session.commit()
        with pytest.raises(LeakCheckFailed):
            writeup_service.publish_writeup(meeting(), actor=None)
        db.session.rollback()
        override_all(WRITEUP)
        edit(first, LOVELACE + " Again.")
        with pytest.raises(LeakCheckFailed) as failed:
            writeup_service.publish_writeup(meeting(), actor=None)
        assert [f.where for f in failed.value.report.blocking] == ["item 1"]
        db.session.rollback()


def test_the_meetings_details_at_their_text(app, world):
    """An override of a finding in the meeting's details (the email's
    subject) covers those details as written: a new title asks again."""
    with app.app_context():
        meeting().title = "Ada Lovelace day"
        db.session.commit()
        assert blocking(EMAIL) == ["the meeting's details"]
        override_all(EMAIL)
        assert blocking(EMAIL) == []
        meeting().title = "Ada on the budget"
        db.session.commit()
        assert blocking(EMAIL) == ["the meeting's details"]


def _old_key(rule: str, match: str, where: str) -> str:
    """A key of the earlier shape: rule, words and place, no version."""
    text = f"{rule}\x1f{match_key(match)}\x1f{where}"
    return hashlib.sha256(text.encode()).hexdigest()[:64]


def test_overrides_stored_under_the_old_key_shape_fail_closed(app, world):
    """An override recorded before overrides were per version (keyed on the
    item's id alone, or on a part of the message) is asked again."""
    with app.app_context():
        first = add(LOVELACE)
        for where in (f"item #{first}", "plain text", "HTML", "subject"):
            db.session.add(
                LeakOverride(
                    meeting_id=meeting().id,
                    channel=EMAIL,
                    finding_key=_old_key("name", "Ada", where),
                    reason="old",
                )
            )
        db.session.commit()
        assert blocking(EMAIL) == ["item 1"]
        with pytest.raises(LeakCheckFailed):
            circulation_service.prepare(meeting())


def test_the_page_groups_by_what_was_found_with_one_override_per_place(
    app, client, login_as, world
):
    """One entry for 'Ada', each place linked to its item with its version,
    and an override form per place: overriding one leaves the other standing."""
    with app.app_context():
        first = add(LOVELACE)
        second = add(BUDGET)
    login_as(Role.FACILITATOR)
    html = unescape(client.get(PAGE).get_data(as_text=True))
    members = html[html.index("What members of the series receive") :]
    assert members.count("<code>Ada</code>") == 1
    for item_id in (first, second):
        assert f"/series/cop/meetings/1/notes/items/{item_id}/edit" in members
    assert members.count("version 1") >= 2
    values = re.findall(r'name="findings" value="([^"]*)"', members)
    ada_values = [v for v in values if v.startswith(f"{EMAIL}:") or f" {EMAIL}:" in v]
    assert len(ada_values) == 2 and len(set(ada_values)) == 2
    assert "this version of the item" in members
    response = post_form(
        client, OVERRIDE, {"findings": ada_values[0], "reason": "Lovelace"}, page=PAGE
    )
    assert response.status_code == 302
    with app.app_context():
        assert blocking(EMAIL) == ["item 2"]
