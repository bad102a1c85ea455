"""``notesbase retention apply | show`` from the command line: the lock
that keeps two runs apart, an unknown series, a bad date, ``show``, and
the index's progress in a large run."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.privacy.retention import run
from notesbase.privacy.retention.cli import LOCKED_EXIT
from notesbase.search import changes
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


def test_a_save_while_a_meeting_is_read_waits_its_turn(
    app: Flask, make_member: Any, make_series: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site saves something after the run has read a meeting and before
    it writes it. On SQLite a transaction that read and then writes cannot
    wait for the lock: the meeting failed with "database is locked". The
    run takes the lock as each transaction begins, so the save waits its
    turn and both succeed."""
    w.build_world(app, make_member, make_series)
    w.set_schedule(app, 1, "purge_notes")
    other = sa.create_engine(app.config["DATABASE_URL"])
    saved: list[BaseException | None] = []

    def save() -> None:
        try:
            with other.begin() as connection:
                connection.execute(sa.text("UPDATE series SET title = title || ' (renamed)'"))
            saved.append(None)
        except BaseException as error:  # reported by the test
            saved.append(error)

    real = run.carry_out
    saver = threading.Thread(target=save)

    def carry_out(*args: Any, **kwargs: Any) -> Any:
        if not saver.is_alive() and not saved:  # the first meeting, read and not yet written
            saver.start()
            saver.join(timeout=0.5)  # done at once, or waiting for the run's lock
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "carry_out", carry_out)
    try:
        result = invoke(app, "apply")
        saver.join(timeout=10)
    finally:
        other.dispose()
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output
    assert saved == [None]


def test_the_index_part_of_a_large_run_shows_progress(
    app: Flask, make_member: Any, make_series: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that changes many items (here: any number) says on stderr how
    far the index has got, not only that it is being updated."""
    monkeypatch.setattr(changes, "MANY_ITEMS", 1)
    w.build_world(app, make_member, make_series)
    w.set_schedule(app, 1, "anonymise")
    result = invoke(app, "apply")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    at = lines.index("updating the search index …")
    assert re.fullmatch(r"search index: \d+ documents written …", lines[at + 1])
    assert lines[at + 2] == (
        "search index: taking out the documents replaced"
        " and rewriting the segments that held them …"
    )
    assert b"zimmerwald" not in w.index_bytes(app).lower()
