"""Keeping the index in step with the database.

- ``apply`` drains the outbox into this host's index: one writer at a time
  (a lock with a timeout), re-reading the current rows (``changes``), so an
  older version is never indexed after a newer one. The index remembers
  where it got to (``backlog``), so several hosts share one outbox;
  ``apply_soon`` runs it after a commit (``apply_after_commit``: in a
  request, once the reply has been sent), merges follow in the background
  (``background``).
- ``rebuild`` writes a whole new index from the database (``rebuilding``)
  and swaps it in.
- ``ensure`` makes sure there is a usable index, rebuilding a missing or
  corrupt one (at once when the database is small, else in the background).

``checking`` compares the index with what the database says it should hold."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from notesbase import renders
from notesbase.after_reply import after_reply
from notesbase.models import IndexOutbox, Item
from notesbase.search import background, backlog, changes, naming, retries
from notesbase.search.changes import Work
from notesbase.search.context import engine_for, log, own_session
from notesbase.search.engine import Engine, IndexUnavailable, LockTimeout
from notesbase.search.rebuilding import write_all


class RebuildInProgress(Exception):
    """Another process is rebuilding the index."""


# -- applying the outbox ---------------------------------------------------------


def _policy(app: Flask) -> retries.Policy:
    return retries.Policy(
        first_delay=float(app.config["SEARCH_OUTBOX_RETRY_SECONDS"]),
        max_attempts=int(app.config["SEARCH_OUTBOX_MAX_ATTEMPTS"]),
    )


def apply(
    app: Flask,
    *,
    timeout: float | None = None,
    batch: int = 500,
    merge: bool = True,
    scan: bool = True,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Drain the outbox into the index, ``batch`` rows at a time; returns
    how many rows were applied. A row whose work fails on its own is set to
    be retried later (``retries``) and the rows behind it are applied; a
    failure that is not the row's (the database or the index is down)
    raises and leaves every row pending. Then merge full tiers of small
    segments: here, or with ``merge`` False in a background thread
    (``merge_soon``). First, with ``scan``, look for created and renamed
    people in the items (``scan_mentions``). Raises ``LockTimeout`` when
    another process keeps the writer lock. ``progress`` hears how much
    work written many at once (``changes.many``) has got through."""
    engine = engine_for(app)
    if not ensure(app):
        return 0
    applied = 0
    full = False
    policy = _policy(app)
    with engine.writer_lock(timeout):
        path = engine.current_path()
        if path is None:
            return 0
        if scan:
            scan_mentions(app)
        # Failing rows get one attempt per call, when their time has come.
        retry = set(retries.due(engine.read_state(path), time.time()))
        while True:
            state = engine.read_state(path)
            with own_session(app) as session:
                rows = [
                    Work(row.id, row.target, row.target_id)
                    for row in session.scalars(
                        sa.select(IndexOutbox)
                        .where(backlog.not_applied(state, retry))
                        .order_by(IndexOutbox.id)
                        .limit(batch)
                    )
                ]
                if not rows:
                    break
                if any(row.target == "purge" for row in rows):
                    renders.wipe(app)  # they may hold what the purge removes
                retry -= {row.id for row in rows}
                wrote, failed = _attempt(engine, path, session, rows, progress)
            full = wrote or full
            ids = [row.id for row in rows]
            _log_failures(failed)
            state = backlog.next_state(state, ids)
            state = retries.settle(state, set(ids) - set(failed), failed, time.time(), policy)
            engine.write_state(path, state)
            applied += len(rows) - len(failed)
            if len(rows) < batch:
                break  # every row due, retries included, was in this batch
        if full and merge:
            engine.merge(path)
    if full and not merge:
        background.merge_soon(app)
    backlog.prune(app)
    return applied


# Failures that are nobody's row: the index or the database is unusable.
_NOT_THE_ROWS = (IndexUnavailable, LockTimeout, OSError)


def _attempt(
    engine: Engine,
    path: Path,
    session: Session,
    rows: list[Work],
    progress: Callable[[str], None] | None = None,
) -> tuple[bool, dict[int, BaseException]]:
    """Write the documents ``rows`` ask for: (whether a tier of segments is
    full, the rows whose work failed on its own with their errors). A
    failing group is halved until the failing rows are found, so one bad row
    costs a few extra attempts, never the rows around it."""
    try:
        meetings, items, writeups = changes.expand(session, rows)
        parts = changes.parts(session, meetings, items, writeups)
        purge = any(row.target == "purge" for row in rows)
        bulk = changes.many(session, meetings, items)
        wrote = changes.write_parts(
            engine, path, parts, optimize=purge, bulk=bulk, progress=progress
        )
        return wrote, {}
    except _NOT_THE_ROWS:
        raise
    except Exception as error:
        session.rollback()
        if len(rows) == 1:
            _database_answers(session)
            return False, {rows[0].id: error}
        half = len(rows) // 2
        first_full, first_failed = _attempt(engine, path, session, rows[:half])
        second_full, second_failed = _attempt(engine, path, session, rows[half:])
        return first_full or second_full, {**first_failed, **second_failed}


def scan_mentions(app: Flask) -> int:
    """Look for created and renamed people in every item (``naming``):
    record who is named where and queue those items for every host's index,
    in one commit. Runs before the outbox is drained, so the items it queues
    are applied by the same call. A failure is logged and the requests stay:
    until they are done, search leaves out what they may touch (``unapplied``).
    How many items were found."""
    found = 0
    try:
        with own_session(app) as session:
            while naming.scans_pending(session):
                found += len(naming.scan_requested(session))
                session.commit()
    except Exception as error:
        retries.log_once(error, [], "could not look for changed people in the items; retrying")
    return found


def _log_failures(failed: dict[int, BaseException]) -> None:
    by_cause: dict[str, list[int]] = defaultdict(list)
    errors: dict[str, BaseException] = {}
    for row, error in failed.items():
        cause = retries.describe(error)
        by_cause[cause].append(row)
        errors[cause] = error
    for cause, rows in by_cause.items():
        retries.log_once(errors[cause], rows, "could not apply search outbox rows; retrying later")


def _database_answers(session: Session) -> None:
    """Raises when the database does not answer: then the failure was not
    the row's, and it must not count against it."""
    session.rollback()
    session.execute(sa.select(1))


def apply_soon(app: Flask) -> None:
    """After a commit, in the embedded default: apply now, so the next
    search sees the change. Never fails the request whose change has
    already committed; what is not applied now stays in the outbox. Merges
    happen in the background: a request never waits for one."""
    try:
        scan = not _scan_in_background(app)
        apply(app, timeout=float(app.config["SEARCH_APPLY_TIMEOUT"]), merge=False, scan=scan)
    except LockTimeout:
        log.info("search index busy; the outbox will be applied by the lock holder or later")
    except Exception:
        log.exception("could not apply the search outbox; it will be replayed")


def apply_after_commit(app: Flask) -> None:
    """After a commit that queued index work: in a request, once its reply
    has been sent (``after_reply``), so the page a writer is sent to next
    never waits for the index; anywhere else, now. Meanwhile nothing is
    exposed: a search applies the waiting work itself first, or leaves out
    what it touches (``search.service``)."""
    after_reply("search.apply", lambda: _apply_in(app))


def _apply_in(app: Flask) -> None:
    with app.app_context():
        apply_soon(app)


def _scan_in_background(app: Flask) -> bool:
    """Whether a scan for changed people is left to a background thread
    (started here, one per index): when the database holds more than
    ``SEARCH_SYNC_REBUILD_MAX_ITEMS`` items, reading them all would hold up
    the request. Until it is done, search leaves out what it may touch."""
    with own_session(app) as session:
        if not naming.scans_pending(session):
            return False
        items = session.scalar(sa.select(sa.func.count(Item.id))) or 0
    if items <= int(app.config["SEARCH_SYNC_REBUILD_MAX_ITEMS"]):
        return False
    background.scan_soon(app, _apply_quietly)
    return True


def _apply_quietly(app: Flask) -> None:
    try:
        apply(app, timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]), merge=False)
    except LockTimeout:
        log.info("search index busy; the scan for changed people waits for the next apply")
    except Exception:
        log.exception("could not apply the search outbox; it will be replayed")


# -- rebuilding ----------------------------------------------------------------


Progress = Callable[[int, int], None]


def rebuild(app: Flask, progress: Progress | None = None) -> int:
    """Build a new index from the database in a fresh folder, then swap it
    in; returns the number of documents. Raises ``RebuildInProgress``."""
    engine = engine_for(app)
    with engine.rebuild_lock() as mine:
        if not mine:
            raise RebuildInProgress("the search index is already being rebuilt")
        path = engine.new_generation()
        try:
            with own_session(app) as session:
                # Rows after this point are applied to the new index afterwards.
                start = session.scalar(sa.select(sa.func.max(IndexOutbox.id))) or 0
                recent = session.scalars(
                    sa.select(IndexOutbox.id).where(IndexOutbox.id > start - backlog.MAX_GAPS)
                ).all()
                state = backlog.next_state({"cursor": 0, "gaps": {}}, [*recent, start])
            count = write_all(app, engine, path, progress)
            engine.write_state(path, state)
            with engine.writer_lock(timeout=60):
                engine.switch_to(path)
        except BaseException:
            engine.discard(path)
            raise
    apply(app, timeout=60)
    return count


_background: dict[str, threading.Thread] = {}


def ensure(app: Flask) -> bool:
    """True when a usable index is there. A missing or unreadable one is
    rebuilt: at once while the database holds at most
    ``SEARCH_SYNC_REBUILD_MAX_ITEMS`` items, else in a background thread
    (and False until it is done; search says so)."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is not None:
        try:
            engine.open_index(path)
            return True
        except IndexUnavailable:
            log.warning("the search index at %s cannot be opened; rebuilding", path)
    return _start_rebuild(app)


def catch_up(app: Flask, *, timeout: float | None = None) -> int:
    """At start-up, before the first request: apply the outbox rows that a
    killed process committed but never applied; how many. A missing or
    unreadable index is left to ``ensure`` (the first request rebuilds it)."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is None:
        return 0
    try:
        engine.open_index(path)
    except IndexUnavailable:
        return 0
    if not backlog.pending(app):
        return 0
    return apply(app, timeout=timeout)


def warm(app: Flask) -> bool:
    """For a new server process, before its first request: open the index
    and read what every search needs (``Engine.warm``), so that the first
    search a worker answers is as fast as the rest. A missing or unreadable
    index is left to the first request, which rebuilds it; False then."""
    engine = engine_for(app)
    if engine.current_path() is None:
        return False
    try:
        engine.warm()
    except Exception:  # never keep a worker from starting: the first search repairs
        log.warning("could not read the search index ahead of requests", exc_info=True)
        return False
    return True


def repair(app: Flask) -> bool:
    """An index that failed while searching: rebuild it (see ``ensure``)."""
    log.warning("the search index failed while reading; rebuilding")
    return _start_rebuild(app)


def _start_rebuild(app: Flask) -> bool:
    engine = engine_for(app)
    if engine.rebuilding_elsewhere():
        return False
    with own_session(app) as session:
        items = session.scalar(sa.select(sa.func.count(Item.id))) or 0
    if items <= int(app.config["SEARCH_SYNC_REBUILD_MAX_ITEMS"]):
        try:
            rebuild(app)
        except RebuildInProgress:
            return False
        return True
    key = str(engine.root)
    thread = _background.get(key)
    if thread is None or not thread.is_alive():
        thread = threading.Thread(target=_rebuild_quietly, args=(app,), daemon=True)
        _background[key] = thread
        thread.start()
    return False


def _rebuild_quietly(app: Flask) -> None:
    try:
        rebuild(app)
    except RebuildInProgress:
        pass
    except Exception:
        log.exception("rebuilding the search index failed")


def rebuilding(app: Flask) -> bool:
    engine = engine_for(app)
    thread = _background.get(str(engine.root))
    return (thread is not None and thread.is_alive()) or engine.rebuilding_elsewhere()
