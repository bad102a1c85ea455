"""SIGKILL a live server (gunicorn, two workers) in the middle of writes,
again and again: every write it acknowledged is there afterwards, with its
content; the database passes its integrity check; and once the restarted
app has caught up, the search index matches the database.

Runs on the suite's database: SQLite by default, PostgreSQL when
``NOTESBASE_TEST_DATABASE_URL`` is set. The kill moments are random but
seeded (``NOTESBASE_FAULT_SEED``), so a failure can be replayed."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.meetings import service as meetings
from notesbase.models import Item
from tests.faults.server_support import Server, call, facilitator_token, server_env

ROUNDS = 4
WRITERS = 3
SEED = int(os.environ.get("NOTESBASE_FAULT_SEED", "20261125"))
WORD = "durable"
ROUND_TIMEOUT = 30
ITEMS = "/api/v1/series/cop/meetings/1/items"


@dataclass
class Ledger:
    """What the writers asked for and what the server acknowledged."""

    attempted: dict[str, tuple[int | None, int]] = field(default_factory=dict)
    # item id -> {version: body} of every change acknowledged
    acknowledged: dict[int, dict[int, str]] = field(default_factory=dict)
    # answers that were neither an acknowledgement nor a 5xx
    unexpected: list[tuple[str, int, object]] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, method: str, status: int, answer: object, expected: int) -> bool:
        """Whether this was the acknowledgement; otherwise keep it for the test."""
        if status == expected:
            return True
        with self.lock:
            if status >= 500:
                self.refused += 1
            else:
                self.unexpected.append((method, status, answer))
        return False

    def attempt(self, body: str, item_id: int | None, version: int) -> None:
        with self.lock:
            self.attempted[body] = (item_id, version)

    def count(self) -> int:
        with self.lock:
            return sum(len(versions) for versions in self.acknowledged.values())

    def acknowledge(self, item_id: int, version: int, body: str) -> None:
        with self.lock:
            self.acknowledged.setdefault(item_id, {})[version] = body


@dataclass(frozen=True)
class Moment:
    """When to kill: after this many more acknowledged writes, and then
    this many seconds."""

    writes: int
    delay: float


def write_until_killed(port: int, token: str, ledger: Ledger, name: str) -> None:
    """Add an item, then change it, again and again, until the server is
    gone; each write acknowledged (201/200 with its id and version) is
    recorded. A 5xx is a write not acknowledged (on SQLite, two workers
    writing at once can meet "database is locked")."""
    n = 0
    try:
        while True:
            n += 1
            body = f"{WORD} note {name} n{n}"
            ledger.attempt(body, None, 1)
            status, answer = call(port, "POST", ITEMS, token, {"kind": "point", "body": body})
            if not ledger.answered("POST", status, answer, 201):
                continue
            item_id, version = int(answer["id"]), int(answer["version"])
            ledger.acknowledge(item_id, version, body)
            changed = f"{body} changed"
            ledger.attempt(changed, item_id, version + 1)
            change = {"body": changed, "version": version}
            status, answer = call(port, "PATCH", f"/api/v1/items/{item_id}", token, change)
            if ledger.answered("PATCH", status, answer, 200):
                ledger.acknowledge(item_id, int(answer["version"]), changed)
    except OSError:
        return  # the server was killed


def setup_world(app: Flask) -> str:
    """A series with one meeting, and a facilitator's API token."""
    with app.app_context():
        series = meetings.create_series(meetings.SeriesFields("cop", "Community of Practice"))
        meetings.create_meeting(
            series, meetings.MeetingFields(number=1, title="Kick-off", date=date(2025, 1, 15))
        )
        db.session.commit()
    return facilitator_token(app)


def kill_while_writing(
    server: Server, token: str, ledger: Ledger, label: str, moment: Moment
) -> int:
    """Writers at full speed; SIGKILL once ``moment.writes`` more writes
    were acknowledged and ``moment.delay`` seconds have passed (so the kill
    lands anywhere in a request: parsing, committing, indexing, answering).
    Returns how many writes were acknowledged meanwhile."""
    before = ledger.count()
    writers = [
        threading.Thread(
            target=write_until_killed, args=(server.port, token, ledger, f"{label}w{n}")
        )
        for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + ROUND_TIMEOUT
    while ledger.count() - before < moment.writes and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(moment.delay)
    server.kill()
    for writer in writers:
        writer.join(timeout=30)
        assert not writer.is_alive()
    return ledger.count() - before


def check_acknowledged(app: Flask, ledger: Ledger) -> None:
    """Every acknowledged write is there; anything else there was asked for
    (a write cut off by the kill may or may not have committed)."""
    with app.app_context():
        rows = {
            i: (v, b) for i, v, b in db.session.execute(sa.select(Item.id, Item.version, Item.body))
        }
    for item_id, versions in ledger.acknowledged.items():
        assert item_id in rows, f"acknowledged item {item_id} is gone"
        version, body = rows[item_id]
        newest = max(versions)
        assert version >= newest, f"item {item_id} lost acknowledged version {newest}"
        if version == newest:
            assert body == versions[newest]
    for item_id, (version, body) in rows.items():
        assert body in ledger.attempted, f"item {item_id} holds text nobody wrote: {body!r}"
        attempted_id, attempted_version = ledger.attempted[body]
        assert attempted_id in (None, item_id) and attempted_version == version


def check_integrity(app: Flask) -> None:
    url = sa.make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        return  # PostgreSQL: the acknowledged rows being there is the check
    with sqlite3.connect(url.database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    connection.close()


def test_acknowledged_writes_survive_repeated_sigkill(app, zygote, runner):
    """Four rounds of writers against a two-worker gunicorn killed (SIGKILL,
    the whole process group) at a random moment; then a restart."""
    token = setup_world(app)
    env = server_env(Path(app.instance_path), app.config["DATABASE_URL"])
    ledger = Ledger()
    moments = random.Random(SEED)  # noqa: S311 - when to kill, not a secret
    acknowledged_per_round = []
    for round_number in range(ROUNDS):
        with zygote.running(env) as server:
            moment = Moment(moments.randint(1, 3), moments.uniform(0, 0.25))
            acknowledged_per_round.append(
                kill_while_writing(server, token, ledger, f"r{round_number}", moment)
            )
    assert all(count > 0 for count in acknowledged_per_round), acknowledged_per_round
    assert ledger.unexpected == []

    check_integrity(app)
    check_acknowledged(app, ledger)

    # Restarted: its start-up check, then the first search, bring the
    # index level with the database; it finds every item.
    with zygote.running(env) as server:
        status, found = call(server.port, "GET", f"/api/v1/search?q={WORD}", token)
        assert status == 200, found
        with app.app_context():
            items = db.session.scalar(sa.select(sa.func.count(Item.id)))
        assert found["total"] == items
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 0, result.output
    assert "0 missing, 0 extra, 0 stale; 0 outbox rows not applied yet;" in result.output
