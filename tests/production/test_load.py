"""Load on ``notesbase serve`` with 4 workers: readers and writers at once
never see a 500 or a dropped connection, every 503 says when to retry, and
every write the server acknowledged is in the database afterwards.

On PostgreSQL the server reaches the database through a loopback proxy that
the test cuts under load (every connection closed, new ones refused, as while
PostgreSQL restarts) and restores: 503s while it is gone, then success again
in the same server processes. The shared PostgreSQL server is never touched."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from tests.production.production_support import (
    CuttableProxy,
    Reply,
    World,
    build_world,
    fetch,
    logged_in_cookies,
    serving,
    stored_items,
)

WORKERS = 4
WRITERS = 3
READERS = 3
LOAD_SECONDS = 1.5
MIN_DONE = 3  # reads and writes each, at least, under load
RETRY_AFTER = "3"
SETTINGS = {"DATABASE_CONNECT_TIMEOUT": "2", "DATABASE_RETRY_AFTER": RETRY_AFTER}


class Load:
    """Client threads writing items through the API and reading pages, the
    notes and search, until stopped; every answer is kept with the phase
    the test was in (one that spans a change of phase counts in neither)."""

    def __init__(self, port: int, world: World, cookies: dict[str, str]) -> None:
        self.port, self.world, self.cookies = port, world, cookies
        self.phase = "warm-up"
        self.seen: list[tuple[str, str, int, str | None]] = []
        self.acknowledged: dict[int, str] = {}
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(self._write, f"w{n}")) for n in range(WRITERS)
        ] + [threading.Thread(target=self._run, args=(self._read, f"r{n}")) for n in range(READERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _write(self, name: str, n: int) -> tuple[str, Reply]:
        text = f"Load test {name} write {n}"
        body = {"kind": "point", "body": text}
        reply = fetch(self.port, "POST", self.world.items_path, token=self.world.token, body=body)
        if reply.status == 201:
            with self._lock:
                self.acknowledged[reply.json()["id"]] = text
        return "write", reply

    def _read(self, _name: str, n: int) -> tuple[str, Reply]:
        if n % 3 == 0:
            return "notes", fetch(
                self.port, "GET", "/series/cop/meetings/1/notes", cookies=self.cookies
            )
        if n % 3 == 1:
            return "search", fetch(self.port, "GET", "/search?q=load", cookies=self.cookies)
        return "api-search", fetch(
            self.port, "GET", "/api/v1/search?q=load", token=self.world.token
        )

    def _run(self, request: Callable[[str, int], tuple[str, Reply]], name: str) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            started = self.phase
            try:
                kind, reply = request(name, n)
            except Exception as error:  # refused, reset, timed out: all failures
                with self._lock:
                    self.failures.append(f"{name} in {started}: {error!r}")
                continue
            with self._lock:
                if self.phase == started:
                    self.seen.append(
                        (started, kind, reply.status, reply.headers.get("Retry-After"))
                    )
            if reply.status == 503:
                time.sleep(0.05)

    def statuses(self, phase: str) -> Counter[int]:
        with self._lock:
            return Counter(status for p, _kind, status, _retry in self.seen if p == phase)

    def until_both_succeed(self, phase: str, times: int = 1, timeout: float = 30) -> None:
        """Wait until reads and writes each succeeded ``times`` in ``phase``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.statuses(phase)
            if done[200] >= times and done[201] >= times:
                return
            time.sleep(0.05)

    def run(self, phase: str) -> None:
        """Load for LOAD_SECONDS, and on until a few reads and writes are done."""
        self.phase = phase
        time.sleep(LOAD_SECONDS)
        self.until_both_succeed(phase, times=MIN_DONE)

    def summary(self, log: str) -> str:
        counts = Counter((p, kind, status) for p, kind, status, _retry in self.seen)
        return f"{sorted(counts.items())}\nfailures: {self.failures}\n{log[-3000:]}"


def check_no_faults(load: Load, world: World, summary: str) -> None:
    """No 500, no dropped connection, Retry-After on every 503, and every
    acknowledged write stored."""
    assert not load.failures, summary
    assert {status for _p, _k, status, _r in load.seen} <= {200, 201, 503}, summary
    assert all(r == RETRY_AFTER for _p, _k, s, r in load.seen if s == 503), summary
    stored = stored_items(world)
    lost = {i: text for i, text in load.acknowledged.items() if stored.get(i) != text}
    assert not lost, f"acknowledged writes missing from the database: {lost}"


def test_four_workers_on_sqlite(tmp_path: Path):
    """SQLite (WAL) under concurrent reads and writes from 4 workers."""
    world = build_world(tmp_path, f"sqlite:///{tmp_path / 'instance' / 'notesbase.sqlite3'}")
    with serving(world, tmp_path / "server.log", workers=WORKERS, **SETTINGS) as server:
        cookies = logged_in_cookies(server.port, world.member_email)
        with Load(server.port, world, cookies) as load:
            load.until_both_succeed("warm-up")
            load.run("load")
        summary = load.summary(server.log_tail())
    check_no_faults(load, world, summary)
    done = load.statuses("load")
    assert done[201] >= MIN_DONE and done[200] >= MIN_DONE, summary


def test_four_workers_on_postgresql_through_a_restart(postgres_database: sa.URL, tmp_path: Path):
    """PostgreSQL under the same load, then gone for a while and back."""
    target = (postgres_database.host or "127.0.0.1", postgres_database.port or 5432)
    with CuttableProxy(target) as proxy:
        through_proxy = postgres_database.set(host="127.0.0.1", port=proxy.port)
        world = build_world(tmp_path, through_proxy.render_as_string(hide_password=False))
        with serving(world, tmp_path / "server.log", workers=WORKERS, **SETTINGS) as server:
            cookies = logged_in_cookies(server.port, world.member_email)
            with Load(server.port, world, cookies) as load:
                load.until_both_succeed("warm-up")
                load.run("load")
                # Each phase is named before the change it stands for, so an
                # answer racing the change spans two phases and counts in neither.
                load.phase = "cut"
                proxy.cut()
                time.sleep(0.4)
                load.phase = "cut-settled"  # every connection has failed by now
                time.sleep(0.8)
                load.phase = "recovering"
                proxy.restore()
                load.until_both_succeed("recovering")
                load.phase = "recovered"
                time.sleep(0.8)
            running = server.process.poll() is None
            log = server.log.read_text(errors="replace")
    summary = load.summary(log)
    world.database_url = postgres_database.render_as_string(hide_password=False)
    check_no_faults(load, world, summary)
    loaded, cut, recovered = (load.statuses(p) for p in ("load", "cut-settled", "recovered"))
    assert loaded[201] >= MIN_DONE and loaded[200] >= MIN_DONE and not loaded[503], summary
    assert cut[503] >= 3 and set(cut) == {503}, summary
    assert recovered[200] and recovered[201] and not recovered[503], summary
    # The same processes recovered: none was restarted.
    assert running and log.count("Booting worker") == WORKERS, summary
