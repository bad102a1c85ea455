"""A full disk while writing the search index: the database write (and
the request) still succeeds, search still answers, and once there is room
again the index catches up by itself.

The disk is really full: the index sits on a small tmpfs mounted in a
mount namespace of the test's own, so the kernel answers ENOSPC (see
``tests.faults.disk_support``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_test_config
from tests.faults.disk_support import NEW_WORD, run_on_full_disk, small_filesystem_problem


def test_a_full_disk_fails_no_write_and_the_index_catches_up(app, tmp_path: Path):
    """While the index's disk is full a facilitator's new item is saved
    (201), the failure is logged, search answers (200) and ``check`` says
    the index is behind; with space freed, the next search applies the
    outbox in the same process and the index matches the database."""
    problem = small_filesystem_problem(tmp_path)
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"a small filesystem is required in CI: {problem}")
        pytest.skip(f"cannot mount a small tmpfs here ({problem})")
    seen = run_on_full_disk(tmp_path, make_test_config(tmp_path, app.config["DATABASE_URL"]))

    assert seen["check_before"] is True
    assert seen["free_while_full"] == 0
    assert seen["write_status"] == 201
    assert seen["in_database"] == f"The {NEW_WORD} register goes ahead"
    assert any("No space left on device" in line for line in seen["logged_while_full"]), seen
    assert seen["check_while_full"]["ok"] is False
    assert seen["check_while_full"]["pending"] == 1
    assert len(seen["check_while_full"]["missing"]) == 1
    assert seen["search_while_full"] == 200

    assert seen["search_after"] == 200
    assert seen["found_after"] == 1
    assert seen["check_after"] == {"ok": True, "pending": 0}
