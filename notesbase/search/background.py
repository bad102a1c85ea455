"""The index's background threads, at most one of each kind per index:
merges of small segments once saves pause (``merge_soon``), and scans for
created and renamed people when the database is too large to scan while a
request waits (``scan_soon``). ``wait_for_merges`` waits for them all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask

from notesbase.search.context import engine_for, log
from notesbase.search.engine import LockTimeout

_scanning: dict[str, threading.Thread] = {}
_merging: dict[str, threading.Thread] = {}
_last_write: dict[str, float] = {}
_lock = threading.Lock()
# However busy the index, a merge waits no longer than this many quiet spells.
MAX_MERGE_WAITS = 10


def merge_soon(app: Flask) -> None:
    """Merge small segments in a background thread (one per index at a
    time), once no save has come for ``SEARCH_MERGE_DELAY`` seconds: a
    merge takes the writer lock and the interpreter's time, so it waits for
    a pause rather than slowing the saves and searches of a busy moment (but
    never more than ``MAX_MERGE_WAITS`` pauses' worth)."""
    key = str(engine_for(app).root)
    with _lock:
        _last_write[key] = time.monotonic()
        running = _merging.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(
            target=_merge_when_quiet, args=(app, key), name="notesbase-index-merge", daemon=True
        )
        _merging[key] = thread
        thread.start()


def scan_soon(app: Flask, scan: Callable[[Flask], None]) -> None:
    """Run ``scan(app)`` in a background thread, unless one is already
    scanning this index."""
    key = str(engine_for(app).root)
    with _lock:
        thread = _scanning.get(key)
        if thread is None or not thread.is_alive():
            thread = threading.Thread(
                target=scan, args=(app,), name="notesbase-mention-scan", daemon=True
            )
            _scanning[key] = thread
            thread.start()


def wait_for_merges(timeout: float | None = None) -> bool:
    """Wait until this process's background merges (``merge_soon``) and
    scans (``scan_soon``) have finished, say before its index
    folder is removed; whether they all have within ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _lock:
        threads = [*_merging.values(), *_scanning.values()]
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def _merge_when_quiet(app: Flask, key: str) -> None:
    delay = float(app.config["SEARCH_MERGE_DELAY"])
    started = time.monotonic()
    while True:
        with _lock:
            quiet_at = _last_write.get(key, started) + delay
        now = time.monotonic()
        if now >= quiet_at or now - started >= delay * MAX_MERGE_WAITS:
            break
        time.sleep(min(quiet_at - now, delay))
    _merge_with_retries(app)


# A merge that finds the index's lock taken (by a save, or by a writer a
# killed process or a failed commit has not let go of yet) tries again this
# many times, waiting a little longer each time, before leaving the merge to
# the next save.
MERGE_LOCK_RETRIES = 4
MERGE_RETRY_WAIT = 0.25


def _merge_with_retries(app: Flask) -> bool:
    """Merge small segments; whether it was done. A lock found busy is
    normal between processes: retried quietly, then left for later. Only a
    real failure is logged, with its traceback."""
    engine = engine_for(app)
    timeout = float(app.config["SEARCH_LOCK_TIMEOUT"])
    for attempt in range(MERGE_LOCK_RETRIES + 1):
        try:
            with engine.writer_lock(timeout):
                path = engine.current_path()
                if path is not None:
                    engine.merge(path)
            return True
        except LockTimeout:
            if attempt < MERGE_LOCK_RETRIES:
                time.sleep(MERGE_RETRY_WAIT * (attempt + 1))
        except Exception:
            log.exception("could not merge the search index's small segments")
            return False
    log.info("search index busy; small segments are merged after a later save")
    return False
