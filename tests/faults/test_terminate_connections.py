"""PostgreSQL connections terminated, one every 20 ms (``pg_terminate_backend``),
under a live three-worker gunicorn taking writes and reads: no bare 500 and
no answer the database contradicts.

Three kinds of client run at once for ``STORM`` seconds:
- retrying writers: each note is POSTed with an Idempotency-Key and sent
  again (same key) until it is acknowledged; afterwards each exists once,
  with the id its acknowledgements gave;
- one-shot writers (half with a key, half without): each answer is checked
  against the database: a 2xx note exists once, one answered "nothing was
  changed" does not exist, one answered "unknown" exists at most once;
- readers: search, a meeting's notes, the write-ups feed and a page.
Every answer is the right shape: JSON under /api/ (HTML for pages), and a
503 with Retry-After."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase import create_app
from notesbase.db import db
from notesbase.errors import DATABASE_BUSY
from notesbase.meetings import service
from notesbase.models import Base, Item
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from tests.conftest import make_test_config
from tests.faults.server_support import call as plain_call
from tests.faults.server_support import facilitator_token, request, server_env

pytestmark = pytest.mark.postgres

WORKERS = 3
STORM = 8.0  # seconds of terminations
KILL_EVERY = 0.02
RETRYING, ONE_SHOT, READERS = 2, 2, 1
SEED = int(os.environ.get("NOTESBASE_FAULT_SEED", "20261206"))
ITEMS = "/api/v1/series/cop/meetings/1/items"
READS = ("/api/v1/search?q=storm", "/api/v1/series/cop/meetings/1", "/writeups.atom", "/series/cop")
UNKNOWN = "whether this request was applied is unknown"


@pytest.fixture
def app(postgres_database: sa.URL, tmp_path: Path) -> Iterator[Flask]:
    url = postgres_database.render_as_string(hide_password=False)
    app = create_app(make_test_config(tmp_path, url))
    with app.app_context():
        Base.metadata.create_all(db.engine)
    yield app
    with app.app_context():
        db.engine.dispose()


@dataclass
class Tally:
    """Every answer, and what each note's answers claimed."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    wrong: list[tuple[str, int, str]] = field(default_factory=list)
    # note -> ids of its 2xx answers (retried and one-shot writes)
    acknowledged: dict[str, set[int]] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)  # answered "nothing was changed"
    unknown: set[str] = field(default_factory=set)
    replays: int = 0
    given_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, what: str, path: str, status: int, headers: Any, body: Any) -> None:
        """The answer's shape: never a 500; JSON under /api/; 503 with Retry-After."""
        api = path.startswith("/api/")
        kind = headers.get("Content-Type", "")
        problem = ""
        if status >= 500 and status != 503:
            problem = "a server error"
        elif api and not kind.startswith("application/json"):
            problem = f"not JSON ({kind})"
        elif not api and status >= 400 and not kind.startswith("text/html"):
            problem = f"not HTML ({kind})"
        elif status == 503 and not headers.get("Retry-After", "").isdigit():
            problem = "503 without Retry-After"
        elif status == 503 and api and body["error"]["status"] != 503:
            problem = "503 with another status in the body"
        with self.lock:
            self.statuses[(what, status)] += 1
            if problem:
                self.wrong.append((path, status, f"{problem}: {str(body)[:200]}"))


def call(port: int, method: str, path: str, token: str | None, body: Any, key: str | None):
    """One request: (status, headers, body), with the Idempotency-Key if given."""
    headers = {"Idempotency-Key": key} if key else {}
    return request(port, method, path, token, body, headers)


def terminate_until(stop: threading.Event, url: sa.URL, database: str, kills: list[int]) -> None:
    """Every KILL_EVERY, terminate one of the app's connections, chosen at random."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    statement = sa.text(
        "SELECT count(pg_terminate_backend(pid)) FROM ("
        "SELECT pid FROM pg_stat_activity WHERE datname = :database"
        " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        " ORDER BY random() LIMIT 1) AS chosen"
    )
    try:
        with engine.connect() as connection:
            while not stop.wait(KILL_EVERY):
                kills.append(connection.execute(statement, {"database": database}).scalar() or 0)
    finally:
        engine.dispose()


def write_retrying(port: int, token: str, tally: Tally, name: str, until: float) -> None:
    """Notes POSTed with a key and sent again until acknowledged."""
    n = 0
    while time.monotonic() < until:
        n += 1
        note = f"storm retried {name} n{n}"
        key = f"{name}-{n}"
        for _attempt in range(200):
            status, headers, body = call(
                port, "POST", ITEMS, token, {"kind": "point", "body": note}, key
            )
            tally.check("retried POST", ITEMS, status, headers, body)
            if status == 201:
                with tally.lock:
                    tally.acknowledged.setdefault(note, set()).add(int(body["id"]))
                    tally.replays += headers.get("Idempotent-Replayed") == "true"
                if headers.get("Idempotent-Replayed") != "true":
                    # and once more: the retry of an acknowledged write is its replay
                    again = call(port, "POST", ITEMS, token, {"kind": "point", "body": note}, key)
                    tally.check("retried POST", ITEMS, again[0], again[1], again[2])
                    if again[0] == 201:
                        with tally.lock:
                            tally.acknowledged[note].add(int(again[2]["id"]))
                            tally.replays += again[1].get("Idempotent-Replayed") == "true"
                break
            if status not in (409, 503):
                break
            time.sleep(0.02)
        else:
            tally.given_up.append(note)


def write_once(port: int, token: str, tally: Tally, name: str, until: float) -> None:
    """Each note sent once; its answer is a claim the database must bear out."""
    n = 0
    while time.monotonic() < until:
        n += 1
        note = f"storm once {name} n{n}"
        key = f"{name}-{n}" if n % 2 else None
        status, headers, body = call(
            port, "POST", ITEMS, token, {"kind": "point", "body": note}, key
        )
        tally.check("one-shot POST", ITEMS, status, headers, body)
        with tally.lock:
            if status == 201:
                tally.acknowledged.setdefault(note, set()).add(int(body["id"]))
            elif status == 503 and body["error"]["message"] == DATABASE_BUSY:
                tally.unchanged.add(note)
            elif status == 503 and UNKNOWN in body["error"]["message"]:
                tally.unknown.add(note)
            else:
                tally.wrong.append((ITEMS, status, f"unexpected answer: {str(body)[:200]}"))


def read(port: int, token: str, tally: Tally, name: str, until: float) -> None:
    paths = random.Random(f"{SEED}{name}")  # noqa: S311 - which page, not a secret
    while time.monotonic() < until:
        path = paths.choice(READS)
        status, headers, body = call(
            port, "GET", path, token if "api" in path else None, None, None
        )
        tally.check("GET", path, status, headers, body)
        if status not in (200, 503):
            with tally.lock:
                tally.wrong.append((path, status, str(body)[:200]))


def seed_world(app: Flask) -> str:
    with app.app_context():
        series = service.create_series(service.SeriesFields("cop", "Community of Practice"))
        meeting = service.create_meeting(
            series, service.MeetingFields(number=1, title="Kick-off", date=date(2025, 1, 15))
        )
        save_writeup(meeting, "A storm summary.", [], actor=None, expected_version=None)
        publish_writeup(meeting, actor=None)
        db.session.commit()
    return facilitator_token(app)


def test_terminated_connections_never_give_a_wrong_answer(app, zygote, postgres_database):
    token = seed_world(app)
    env = server_env(Path(app.instance_path), app.config["DATABASE_URL"])
    env["NOTESBASE_DATABASE_RETRY_AFTER"] = "1"
    tally = Tally()
    kills: list[int] = []
    with zygote.running(env, workers=WORKERS) as server:
        assert plain_call(server.port, "GET", "/api/v1/series/cop")[0] == 200
        stop = threading.Event()
        terminator = threading.Thread(
            target=terminate_until,
            args=(
                stop,
                postgres_database.set(database="postgres"),
                postgres_database.database,
                kills,
            ),
        )
        until = time.monotonic() + STORM
        clients = [
            threading.Thread(target=target, args=(server.port, token, tally, f"{label}{n}", until))
            for target, label, count in (
                (write_retrying, "r", RETRYING),
                (write_once, "o", ONE_SHOT),
                (read, "g", READERS),
            )
            for n in range(count)
        ]
        terminator.start()
        for client in clients:
            client.start()
        time.sleep(STORM)
        stop.set()
        terminator.join(timeout=10)
        for client in clients:
            client.join(timeout=60)
            assert not client.is_alive()
    with app.app_context():
        rows = Counter(db.session.scalars(sa.select(Item.body)))
        ids = {body: id_ for body, id_ in db.session.execute(sa.select(Item.body, Item.id))}
    summary = (
        f"{sum(kills)} connections terminated in {len(kills)} rounds; answers "
        f"{dict(sorted(tally.statuses.items()))}; {tally.replays} replays; "
        f"{len(tally.unchanged)} 'nothing changed', {len(tally.unknown)} 'unknown'"
    )
    print(summary)
    assert tally.wrong == [], summary
    assert tally.given_up == [], summary
    assert sum(kills) > 20, summary  # the storm really hit the app's connections
    assert sum(n for (what, status), n in tally.statuses.items() if status == 503) > 0, summary
    for note, answered_ids in tally.acknowledged.items():
        assert rows[note] == 1, (note, rows[note], summary)
        assert answered_ids == {ids[note]}, (note, answered_ids, ids[note])
    for note in tally.unchanged:
        assert rows[note] == 0, (note, "answered 'nothing was changed' but saved")
    for note in tally.unknown:
        assert rows[note] <= 1, note
    assert all(count == 1 for count in rows.values()), summary
