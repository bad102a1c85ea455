"""A search index on a full disk, for real: a child process in a mount
namespace of its own (``unshare``) mounts a small tmpfs, keeps the index
there (``SEARCH_INDEX_PATH``) and the database on the ordinary disk, fills
the tmpfs up, and writes through the app. The kernel answers ENOSPC to the
index writes, as it would on a full disk; the database write must not mind.

``python -m tests.faults.disk_support CONFIG_JSON`` runs the child's part
and prints what it saw as one line of JSON; the tmpfs (and the index on it)
goes away with the child, so everything is looked at in there."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TMPFS_SIZE = "2m"
CHILD_TIMEOUT = 120
NEW_WORD = "zephyrine"


def _mount_command(mountpoint: Path, command: list[str]) -> list[str]:
    script = 'mount -t tmpfs -o size="$1" notesbase-full "$2" && shift 2 && exec "$@"'
    return [
        "unshare",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        script,
        "sh",
        TMPFS_SIZE,
        str(mountpoint),
        *command,
    ]


def small_filesystem_problem(folder: Path) -> str | None:
    """Why a private tmpfs cannot be mounted here (None when it can)."""
    if shutil.which("unshare") is None:
        return "the unshare command (util-linux) is not installed"
    mountpoint = folder / "probe"
    mountpoint.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            _mount_command(mountpoint, ["true"]), capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        return (done.stderr.strip() or f"exit status {done.returncode}").splitlines()[0]
    return None


def run_on_full_disk(folder: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Run the child's part with the index on a tmpfs at ``folder/index``;
    what it saw."""
    mountpoint = folder / "index"
    mountpoint.mkdir(parents=True, exist_ok=True)
    config = {**config, "SEARCH_INDEX_PATH": str(mountpoint)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "tests.faults.disk_support", json.dumps(config)]
    done = subprocess.run(
        _mount_command(mountpoint, command),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise AssertionError(f"the child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return dict(json.loads(lines[-1]))


# -- in the child ----------------------------------------------------------------


def fill(folder: Path) -> Path:
    """Write a file until the filesystem is full; return it."""
    filler = folder / "filler"
    chunk = b"\0" * 4096
    with filler.open("wb", buffering=0) as handle:
        while True:
            try:
                handle.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    return filler


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.messages.append(text)


def child(config: dict[str, Any]) -> dict[str, Any]:
    import sqlalchemy as sa

    from notesbase import create_app
    from notesbase.db import db
    from notesbase.models import Item
    from notesbase.search import checking, indexer
    from tests.faults.server_support import facilitator_token
    from tests.search.procs_support import build_world

    # Only what the code itself lets go of is let go of: with the cyclic
    # garbage collector running, when a leaked lock is freed would be luck.
    gc.disable()
    seen: dict[str, Any] = {}
    collect = Collect()
    logging.getLogger("notesbase.search").addHandler(collect)
    app = create_app(config)
    build_world(app)
    token = facilitator_token(app, "disk")
    indexer.apply(app)
    seen["check_before"] = checking.check(app).ok
    index_root = Path(config["SEARCH_INDEX_PATH"])
    filler = fill(index_root)
    collect.messages.clear()

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.post(
        "/api/v1/series/cop/meetings/1/items",
        json={"kind": "point", "body": f"The {NEW_WORD} register goes ahead"},
        headers=headers,
    )
    seen["write_status"] = answer.status_code
    new_id = answer.get_json().get("id") if answer.is_json else None
    with app.app_context():
        seen["in_database"] = (
            new_id is not None and db.session.scalar(sa.select(Item.body).where(Item.id == new_id))
        ) or None
    seen["logged_while_full"] = list(collect.messages)
    report = checking.check(app)
    seen["check_while_full"] = {
        "ok": report.ok,
        "missing": report.missing,
        "pending": report.pending,
    }
    found = client.get(f"/api/v1/search?q={NEW_WORD}", headers=headers)
    seen["search_while_full"] = found.status_code
    with contextlib.suppress(OSError):
        seen["free_while_full"] = shutil.disk_usage(index_root).free

    filler.unlink()  # the operator frees some space
    answer = client.get(f"/api/v1/search?q={NEW_WORD}", headers=headers)
    seen["search_after"] = answer.status_code
    seen["found_after"] = answer.get_json().get("total") if answer.is_json else None
    report = checking.check(app)
    seen["check_after"] = {"ok": report.ok, "pending": report.pending}
    with app.app_context():
        db.engine.dispose()
    return seen


if __name__ == "__main__":
    result = child(json.loads(sys.argv[1]))
    sys.stdout.write(json.dumps(result, default=str) + "\n")
