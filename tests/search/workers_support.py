"""Worker processes for the search index tests, sharing one instance
folder and database with the test (``python -m tests.search.workers_support``,
fed jobs as lines of JSON on stdin).

The workers are real app processes: each job makes its own app on the same
database and index folder, commits through the ORM (so the outbox hooks run)
and, unless told otherwise, applies the outbox after each commit, contending
for the index's writer lock like separate gunicorn workers would."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.models import Item
from notesbase.notes import items as item_service
from notesbase.search import indexer
from tests.search.procs_support import CHILD_TIMEOUT, ROOT, item_fields

# -- child processes -------------------------------------------------------------


class Worker:
    """A warm app process (``python -m tests.search.workers_support``) that
    runs one job per line of JSON it reads, answering a line of JSON each.
    Starting an interpreter and importing the app costs seconds on a busy
    machine, so a test module starts its workers once, all at the same time."""

    def __init__(self, log_folder: Path) -> None:
        log_folder.mkdir(parents=True, exist_ok=True)
        self.log_path = log_folder / f"worker-{id(self)}.log"
        self._log = self.log_path.open("w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
        env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.search.workers_support"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def send(self, mode: str, config: dict[str, Any], *args: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"mode": mode, "config": config, "args": args}) + "\n")
        self.process.stdin.flush()

    def read(self, timeout: float = CHILD_TIMEOUT) -> Any:
        """The next line the worker says, as JSON; AssertionError with the
        worker's log when it died or said nothing in time."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        if line is None:
            raise AssertionError(f"the worker said nothing; its log:\n{self.log()}")
        answer = json.loads(line)
        if isinstance(answer, dict) and "error" in answer:
            raise AssertionError(answer["error"])
        return answer

    def run(self, mode: str, config: dict[str, Any], *args: Any) -> Any:
        self.send(mode, config, *args)
        return self.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=CHILD_TIMEOUT)

    def wait(self) -> int:
        return self.process.wait(timeout=CHILD_TIMEOUT)

    def close(self) -> None:
        """Let the worker finish (it stops when its stdin closes); leave no
        pipe or file open."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.process.poll() is None


def start_workers(count: int, log_folder: Path) -> list[Worker]:
    """``count`` workers, started together and ready for work."""
    workers = [Worker(log_folder) for _ in range(count)]
    for worker in workers:
        assert worker.read() == "ready"
    return workers


class Pool:
    """Workers shared by a module's tests; a test that kills one gets it
    from here, and later tests get live ones (started as needed)."""

    def __init__(self, log_folder: Path) -> None:
        self.log_folder = log_folder
        self.workers: list[Worker] = []

    def take(self, count: int) -> list[Worker]:
        live = [worker for worker in self.workers if worker.alive()]
        if len(live) < count:
            started = start_workers(count - len(live), self.log_folder)
            self.workers.extend(started)
            live.extend(started)
        return live[:count]

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


# -- what a worker does ---------------------------------------------------------------


def _child_app(config: dict[str, Any]) -> Flask:
    from notesbase import create_app

    return create_app(config)


def _edit(item: Item, tag: str) -> None:
    item_service.update_item(
        item, item_fields(item, body=f"{item.body.split(' #')[0]} #{tag}"), actor=None
    )


EDIT_BUDGET_SECONDS = 60


def edit_many(config: dict[str, Any], name: str, rounds: int, ids: list[int]) -> dict[str, int]:
    """Edit each item of ``ids`` ``rounds`` times, one commit per edit
    (retrying an edit that lost a race with another process); each commit
    applies the outbox in this process, as the embedded default does."""
    from sqlalchemy.orm.exc import StaleDataError

    app = _child_app(config)
    done = retries = 0
    try:
        with app.app_context():
            for round_number in range(rounds):
                for item_id in ids:
                    # A time budget, not a count: on a loaded machine the
                    # other writers can hold the lock for many short turns.
                    deadline = time.monotonic() + EDIT_BUDGET_SECONDS
                    while True:
                        try:
                            item = db.session.get(Item, item_id, populate_existing=True)
                            assert item is not None
                            _edit(item, f"{name}-{round_number}")
                            db.session.commit()
                            done += 1
                            break
                        except (StaleDataError, sa.exc.DBAPIError):
                            db.session.rollback()
                            retries += 1
                            if time.monotonic() > deadline:
                                raise RuntimeError(f"could not edit item {item_id}") from None
                            time.sleep(0.005)
    finally:
        with app.app_context():
            db.engine.dispose()
    return {"edits": done, "retries": retries}


def commit_then_die(config: dict[str, Any], item_id: int, word: str) -> None:
    """Commit an edit with ``SEARCH_APPLY_ON_COMMIT`` off, say so, and be
    killed (SIGKILL) before the index hears of it: a worker lost right
    after its commit."""
    app = _child_app({**config, "SEARCH_APPLY_ON_COMMIT": False})
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        _edit(item, word)
        db.session.commit()
        _say({"version": item.version})
    os.kill(os.getpid(), signal.SIGKILL)


def hold_writer_lock(config: dict[str, Any], seconds: float) -> dict[str, bool]:
    """Hold the index writer lock, as a slow writer would, saying when."""
    app = _child_app(config)
    with indexer.engine_for(app).writer_lock():
        _say("locked")
        time.sleep(seconds)
    return {"released": True}


def _warm_up() -> None:
    """Import everything an app needs (the factory imports its parts), so
    a job's own app starts at once."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        config = {
            "TESTING": True,
            "SECRET_KEY": "warm-up",
            "INSTANCE_PATH": folder,
            "DATABASE_URL": f"sqlite:///{folder}/warm.sqlite3",
        }
        with _child_app(config).app_context():
            db.engine.dispose()


def _say(answer: Any) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def serve() -> None:
    """Run jobs read from stdin until it closes."""
    import traceback

    _warm_up()
    _say("ready")
    for line in sys.stdin:
        job = json.loads(line)
        mode, config, args = job["mode"], job["config"], job["args"]
        try:
            if mode == "edit":
                answer: Any = edit_many(config, args[0], int(args[1]), list(args[2]))
            elif mode == "commit-then-die":
                commit_then_die(config, int(args[0]), str(args[1]))
                answer = None
            elif mode == "hold-lock":
                answer = hold_writer_lock(config, float(args[0]))
            else:
                raise ValueError(f"unknown job {mode}")
        except Exception:
            answer = {"error": traceback.format_exc()}
        _say(answer)


if __name__ == "__main__":
    serve()
