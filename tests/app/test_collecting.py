"""A served worker's full garbage-collection passes wait for replies
(``notesbase.collecting``): none is registered unless the process asked for
it, one runs when the reply is closed (after the request's other work), and
only when enough has been promoted since the last."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from flask import Flask

from notesbase import collecting
from notesbase.after_reply import after_reply


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The process set up as a served worker; what runs after replies, in order."""
    ran: list[str] = []
    real = collecting._collect_when_due

    def recorded() -> None:
        ran.append("gc")
        real()

    monkeypatch.setattr(collecting, "_collect_when_due", recorded)
    before = gc.get_threshold()
    collecting.between_requests()
    try:
        yield ran
    finally:
        collecting.as_before()
    assert gc.get_threshold() == before


def _route(app: Flask, ran: list[str]) -> None:
    @app.get("/_collecting")
    def page() -> str:
        after_reply("index", lambda: ran.append("index"))
        return "ok"


def full_passes() -> int:
    return int(gc.get_stats()[2]["collections"])


def test_the_full_pass_threshold_is_raised_then_restored(served) -> None:
    assert gc.get_threshold()[2] == collecting.FULL_WITHIN


def test_a_full_pass_runs_after_the_reply_and_after_its_other_work(
    app, served, monkeypatch
) -> None:
    monkeypatch.setattr(collecting, "FULL_AFTER", 0)
    _route(app, served)
    response = app.test_client().get("/_collecting", buffered=False)
    response.get_data()
    passes = full_passes()
    assert served == []  # nothing before the reply is closed
    response.close()
    assert served == ["index", "gc"]
    assert full_passes() == passes + 1


def test_no_full_pass_before_enough_is_promoted(app, served, monkeypatch) -> None:
    monkeypatch.setattr(collecting, "FULL_AFTER", 10**9)
    _route(app, served)
    passes = full_passes()
    assert app.test_client().get("/_collecting").status_code == 200
    assert served == ["index", "gc"]
    assert full_passes() == passes


def test_commands_and_tests_keep_cpythons_own_passes(app) -> None:
    ran: list[str] = []
    _route(app, ran)
    threshold = gc.get_threshold()
    assert app.test_client().get("/_collecting").status_code == 200
    assert ran == ["index"]
    assert gc.get_threshold() == threshold
