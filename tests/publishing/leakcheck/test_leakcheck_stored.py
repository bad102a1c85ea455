"""Leak-check results kept for every process (``leakcheck.stored``): the
page reads them, never for notes that have changed since, never for what
decides whether anything leaves, and never when the row is damaged, of
another shape, or from another version of the code. Here the check of a
kept result (``LEAK_CHECK_VERIFY_KEPT``, on for every other test) is off
where the test is about the key itself."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from notesbase import renders
from notesbase.db import db
from notesbase.publishing.leakcheck import audience as leak_audience
from notesbase.publishing.leakcheck import check as leakcheck
from notesbase.publishing.leakcheck import stored
from notesbase.publishing.leakcheck.check import ITEM_FINDINGS, Field
from notesbase.publishing.leakcheck.redactions import ItemHit
from tests.conftest import post_form
from tests.publishing.leakcheck.leakcheck_support import (  # noqa: F401 - fixtures
    CHANGES,
    MEMBER_CHANNEL,
    OUTPUT,
    PUBLIC_CHANNEL,
    SENT,
    channels_fixture,
    the_meeting,
    world_fixture,
)

NAMES = [PUBLIC_CHANNEL, MEMBER_CHANNEL]
Shape = dict[str, list[tuple[str, str, str, str, bool]]]


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    leak_audience.READERS.clear()
    yield
    leak_audience.READERS.clear()


@pytest.fixture
def sent(world: dict[str, int], channels: Any) -> dict[str, int]:
    OUTPUT[PUBLIC_CHANNEL] = list(SENT)
    OUTPUT[MEMBER_CHANNEL] = list(SENT)
    return world


@pytest.fixture
def unverified(app: Flask) -> Flask:
    app.config["LEAK_CHECK_VERIFY_KEPT"] = False
    return app


@pytest.fixture
def worked_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The channels whose words were worked out, not read from those kept."""
    done: list[str] = []
    hits = stored.Output.hits

    def counted(self: stored.Output) -> Any:
        done.append(self.spec.name)
        return hits(self)

    monkeypatch.setattr(stored.Output, "hits", counted)
    return done


def _shape(reports: list[leakcheck.LeakReport]) -> Shape:
    return {
        report.channel: sorted(
            (f.key, f.rule, f.where, f.match, f.override is not None) for f in report.findings
        )
        for report in reports
    }


def _kept() -> Shape:
    return _shape(leakcheck.checks(the_meeting(), NAMES, kept=True))


def _fresh() -> Shape:
    leak_audience.READERS.clear()
    return _shape(leakcheck.checks(the_meeting(), NAMES))


def _rows(app: Flask) -> list[tuple[bytes, str]]:
    store = renders.store_of(app)
    assert store is not None
    with sqlite3.connect(store.path) as connection:
        return [(bytes(k), v) for k, v in connection.execute("SELECT key, value FROM checks")]


def test_a_kept_result_is_read_not_worked_out(app, unverified, sent, worked_out):
    with app.app_context():
        first = _kept()
        assert worked_out == NAMES and len(_rows(app)) == 1
        worked_out.clear()
        db.session.expire_all()  # read from the rows again: equal notes
        leak_audience.READERS.clear()  # another process: nothing of its own
        assert _kept() == first == _fresh()
        assert worked_out == NAMES  # only by ``_fresh``: the kept one was read
        assert first[PUBLIC_CHANNEL], "the channels find something to keep"


@pytest.mark.parametrize("change", list(CHANGES))
def test_after_any_change_the_kept_result_is_not_used(app, unverified, sent, change):
    with app.app_context():
        before = _kept()
        CHANGES[change](sent)
        db.session.commit()
        after = _kept()
        assert after == _fresh()
        assert after != before, "the change makes a difference the check must see"
        assert len(_rows(app)) == 2


@pytest.mark.parametrize(
    "sent_now",
    [
        [*SENT, Field("footer", "Alex Smith wrote this up.")],  # one more part
        [Field(f.where, f.text.replace("Open data", "Alex Smith"), f.place) for f in SENT],
        [Field(f.where, f.text, "item 1" if f.where == "aside" else f.place) for f in SENT],
    ],
    ids=["a part added", "a part's text", "a part's place"],
)
def test_the_output_is_part_of_the_key(app, unverified, sent, sent_now):
    with app.app_context():
        before = _kept()
        OUTPUT[MEMBER_CHANNEL] = sent_now
        after = _kept()
        assert after == _fresh() != before


def test_the_meetings_details_are_part_of_the_key(app, unverified, sent):
    """The meeting's own fields are not in the notes, but words found in an
    output are placed in them too when they hold the same words."""
    with app.app_context():
        before = _kept()
        the_meeting().description = "Priya Raman spoke on the register."
        db.session.commit()
        after = _kept()
        assert after == _fresh() != before
        assert "the meeting's details" in {where for _k, _r, where, *_ in after[PUBLIC_CHANNEL]}


def test_overrides_and_the_items_own_findings_are_read_every_time(
    app, unverified, sent, monkeypatch
):
    """What may change without the notes changing (an override, an open
    request to restrict an item, read from the database) is not kept."""
    asked: list[str] = []

    def requests(sources: Any, audience: Any) -> list[ItemHit]:
        return [ItemHit("restrict", where, "asked", "Asked to be kept back.") for where in asked]

    monkeypatch.setitem(ITEM_FINDINGS, "restrict", requests)
    with app.app_context():
        before = _kept()
        finding = leakcheck.check(the_meeting(), PUBLIC_CHANNEL).findings[0]
        leakcheck.override(the_meeting(), PUBLIC_CHANNEL, finding.key, "Agreed.", actor=None)
        asked.append("item 1")
        db.session.commit()
        after = _kept()
        assert after == _fresh() != before
        assert len(_rows(app)) == 1  # the same result, read with what changed
        overridden = [f for f in after[PUBLIC_CHANNEL] if f[0] == finding.key]
        assert overridden and overridden[0][-1] is True
        assert ("restrict", "item 1") in {
            (rule, where) for _k, rule, where, *_ in after[MEMBER_CHANNEL]
        }


def test_what_decides_never_reads_a_kept_result(app, sent, monkeypatch):
    def refused(*_args: Any) -> None:
        raise AssertionError("a kept result was read")

    with app.app_context():
        _kept()
        monkeypatch.setattr(renders.RenderStore, "get_check", refused)
        report = leakcheck.check(the_meeting(), PUBLIC_CHANNEL)
        assert not report.ok
        with pytest.raises(leakcheck.LeakCheckFailed):
            leakcheck.require_clean(the_meeting(), PUBLIC_CHANNEL)
        key = report.findings[0].key
        leakcheck.override(the_meeting(), PUBLIC_CHANNEL, key, "Agreed.", actor=None)


def _doctor(app: Flask, value: str, *, whole: bool) -> None:
    """Put ``value`` in the one kept row: with its digest (a row as written)
    or without (a damaged one)."""
    store = renders.store_of(app)
    assert store is not None
    ((key, _value),) = _rows(app)
    with sqlite3.connect(store.path) as connection:
        if whole:
            connection.execute("DELETE FROM checks")
            connection.commit()
            store.put_check(key, value, store.token())
        else:
            connection.execute("UPDATE checks SET value = ?", (value,))


@pytest.mark.parametrize(
    ("value", "whole"),
    [
        ("[[], []]", False),  # damaged: its digest no longer matches
        ("not json", True),
        ('{"a": 1}', True),
        ("[[]]", True),  # one channel's result for two
        ('[[["x"]], []]', True),  # rows of another shape
        ('[[[1, 2, 3, 4, "r", "m", "w", [], ["x"]]], []]', True),
        ('[[["w", "i", true, null, "r", "m", "w", [], []]], []]', True),
    ],
)
def test_a_row_not_as_written_is_not_used(app, unverified, sent, value, whole):
    with app.app_context():
        first = _kept()
        _doctor(app, value, whole=whole)
        assert _kept() == first == _fresh()


def test_a_kept_result_that_differs_fails_loudly_when_verified(app, sent):
    with app.app_context():
        _kept()
        _doctor(app, "[[], []]", whole=True)
        with pytest.raises(stored.KeptResultDiffers):
            _kept()


def test_another_version_of_the_code_does_not_read_it(
    app, unverified, sent, monkeypatch, worked_out
):
    with app.app_context():
        _kept()
        monkeypatch.setattr(stored, "code_digest", lambda: b"another version")
        worked_out.clear()
        _kept()
        assert worked_out == NAMES
        assert len(_rows(app)) == 2


def test_the_code_digest_covers_every_module():
    assert stored.code_digest() == stored.code_digest()
    assert len(stored.code_digest()) == 32


def test_emptied_with_the_renders_and_not_refilled_from_before(app, sent):
    with app.app_context():
        _kept()
        store = renders.store_of(app)
        assert store is not None
        token = store.token()
        renders.wipe(app)
        assert _rows(app) == []
        store.put_check(b"k" * 32, "[]", token)  # worked out before the emptying
        assert _rows(app) == []


def test_off_keeps_nothing(app, sent, worked_out):
    app.config["LEAK_CHECK_KEPT"] = False
    with app.app_context():
        _kept()
        _kept()
        assert worked_out == NAMES * 2
        assert _rows(app) == []


def _add_item(client: Any, body: str) -> None:
    data = {
        "kind": "point",
        "speaker": "",
        "section": "",
        "confidentiality": "open",
        "body": body,
        "after": "",
    }
    response = post_form(client, "/series/cop/meetings/1/notes/edit", data)
    assert response.status_code == 302
    response.close()  # the reply sent: the work left until then runs


def test_a_save_in_the_editor_leaves_the_page_ready(
    app, unverified, client, login_as, sent, worked_out
):
    from notesbase.models import Role

    login_as(Role.FACILITATOR)
    _add_item(client, "Alex Smith asked for the figures.")
    assert len(_rows(app)) == 1
    assert set(worked_out) == set(leakcheck.CHANNELS)  # every channel the page shows
    worked_out.clear()
    leak_audience.READERS.clear()
    page = client.get("/series/cop/meetings/1/leak-check")
    assert page.status_code == 200
    assert worked_out == []
    app.config["LEAK_CHECK_KEPT"] = False
    fresh = client.get("/series/cop/meetings/1/leak-check")
    assert worked_out  # worked out this time
    assert _without_tokens(page.get_data(as_text=True)) == _without_tokens(fresh.get_data(True))
    assert "2 findings stand" in page.get_data(as_text=True)


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", page)


def test_without_a_store_a_save_works_nothing_out(
    app, client, login_as, sent, worked_out, monkeypatch
):
    from notesbase.models import Role

    login_as(Role.FACILITATOR)
    monkeypatch.setattr(renders, "store_of", lambda _app: None)
    _add_item(client, "Alex Smith asked for the figures.")
    assert worked_out == []
