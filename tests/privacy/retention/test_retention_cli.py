"""``notesbase retention apply | show`` from the command line: the lock
that keeps two runs apart, an unknown series, a bad date, ``show``."""

from __future__ import annotations

from typing import Any

from flask import Flask

from notesbase.privacy.retention import run
from notesbase.privacy.retention.cli import LOCKED_EXIT
from tests.privacy.retention import retention_support as w


def invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["retention", *args])


def test_second_run_waits_for_the_first(app: Flask, make_member: Any, make_series: Any) -> None:
    """While a run holds the lock, another says so, exits 75 and changes nothing."""
    w.build_world(app, make_member, make_series)
    w.set_schedule(app, 1, "purge_notes")
    before = w.dump(app)
    with app.app_context(), run.run_lock(app):
        result = invoke(app, "apply")
    assert result.exit_code == LOCKED_EXIT
    assert "Another retention run is at work" in result.stderr
    assert w.dump(app) == before
    assert invoke(app, "apply").exit_code == 0


def test_unknown_series_and_bad_date(app: Flask, make_series: Any) -> None:
    make_series("cop", "Community of Practice")
    result = invoke(app, "apply", "--series", "cоp")  # a Cyrillic o
    assert result.exit_code != 0 and "There is no series" in result.output
    assert "Traceback" not in result.output
    result = invoke(app, "apply", "--today", "2025-02-30")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_show_lists_each_schedule(app: Flask, make_member: Any, make_series: Any) -> None:
    w.build_world(app, make_member, make_series)
    w.set_schedule(app, 24, "anonymise")
    result = invoke(app, "show")
    assert result.exit_code == 0
    assert "cop: 24 month(s) after each meeting, then anonymise" in result.output
    assert "1 meeting(s) due" in result.output
    assert "other: kept until changed" in result.output
    result = invoke(app, "apply", "--series", "other")
    assert result.exit_code == 0 and "Nothing is due." in result.output
