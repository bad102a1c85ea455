"""Keeping the index in step with the database.

- ``apply`` drains the outbox into this host's index: one writer at a time
  (a lock with a timeout), re-reading the current rows, so an older version
  is never indexed after a newer one. The index remembers the last outbox
  row it applied (and any lower ids still in flight when it read, which a
  slower transaction may yet commit), so several hosts share one outbox.
- ``rebuild`` writes a whole new index from the database and swaps it in.
- ``ensure`` makes sure there is a usable index, rebuilding a missing or
  corrupt one (at once when the database is small, else in the background).
- ``check`` compares the index with what the database says it should hold."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from notesbase.db import db
from notesbase.models import IndexOutbox, Item, meeting_topics, utcnow
from notesbase.search import naming, retries
from notesbase.search.documents import Builder, Document
from notesbase.search.engine import Engine, IndexUnavailable, LockTimeout, StoredDoc
from notesbase.search.naming import chunks, items_mentioning
from notesbase.search.rebuilding import write_all

log = logging.getLogger(__name__)

EXTENSION = "notesbase.search"
GAP_SECONDS = 600
MAX_GAPS = 1000


class RebuildInProgress(Exception):
    """Another process is rebuilding the index."""


def engine_for(app: Flask) -> Engine:
    engine = app.extensions.get(EXTENSION)
    if engine is None:
        root = app.config.get("SEARCH_INDEX_PATH") or Path(app.instance_path) / "search"
        engine = Engine(
            Path(root),
            lock_timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]),
            cache_bytes=int(float(app.config["SEARCH_CACHE_MB"]) * (1 << 20)),
        )
        app.extensions[EXTENSION] = engine
    return engine


@contextlib.contextmanager
def _session(app: Flask) -> Iterator[Session]:
    """A session of its own in an app context of its own: index work runs
    after a commit, inside the committing session's hooks, where that
    session may not be used; code it calls (write-ups) uses ``db.session``,
    which here is this one."""
    with app.app_context():
        yield db.session


# -- applying the outbox ---------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """One outbox row, read once (a failed attempt rolls the session back)."""

    id: int
    target: str
    target_id: int


def _expand(session: Session, rows: Iterable[Work]) -> tuple[set[int], set[int], set[int]]:
    """What the rows ask for, as (meetings to redo whole, items, write-ups)."""
    by_target: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_target[row.target].add(row.target_id)
    meetings = set(by_target["meeting"])
    items = set(by_target["item"]) | set(by_target["purge"])
    writeups = set(by_target["writeup"])
    for topics in chunks(by_target["topic"]):
        meetings.update(
            session.scalars(
                sa.select(meeting_topics.c.meeting_id).where(meeting_topics.c.topic_id.in_(topics))
            )
        )
    if by_target["person"]:
        # Who names or credits them, as recorded; items naming them by new
        # details are added by the scan (``scan_mentions``), which queues them.
        items.update(items_mentioning(session, by_target["person"]))
    return meetings, items, writeups - meetings


# Work is made a part at a time (whole meetings, or items), and parts are
# written together until a commit holds this many documents and deletions:
# a save is one commit, a bulk change a few of bounded size.
MEETINGS_PER_PART = 20
ITEMS_PER_PART = 500
DOCUMENTS_PER_WRITE = 2000

Part = tuple[list[tuple[str, str]], list[Document]]


def _documents(
    session: Session, meetings: set[int], items: set[int], writeups: set[int]
) -> Iterator[Part]:
    """What to delete and add for the rows, in parts of bounded size."""
    by_meeting: dict[int, list[Item]] = defaultdict(list)
    whole: set[int] = set()  # items of meetings redone whole, scope and all
    for some in chunks(items):
        for item in session.scalars(sa.select(Item).where(Item.id.in_(some))):
            if item.meeting_id in meetings:
                whole.add(item.id)
            else:
                by_meeting[item.meeting_id].append(item)
    # A published write-up shows its items as they read now: redo it too.
    writeups = (writeups | set(by_meeting)) - meetings
    # One builder reads the people and the grants bearing on every meeting once.
    builder = Builder(session, meetings | set(by_meeting) | writeups)
    for some in chunks(meetings, MEETINGS_PER_PART):
        documents = [d for m in builder.meetings(some) for d in builder.meeting_documents(m)]
        yield [("scope", f"meeting:{m}") for m in some], documents
    # Items of meetings that are not redone whole; items gone are deleted.
    for some in chunks(items - whole, ITEMS_PER_PART):
        wanted = set(some)
        touched = {m: [i for i in found if i.id in wanted] for m, found in by_meeting.items()}
        touched = {m: found for m, found in touched.items() if found}
        documents = [
            d for m in builder.meetings(touched) for d in builder.item_documents(m, touched[m.id])
        ]
        yield [("key", f"item:{i}") for i in some], documents
    for some in chunks(writeups, MEETINGS_PER_PART):
        documents = [
            d
            for m in builder.meetings(some)
            if (d := builder.source_document(m, "writeup")) is not None
        ]
        yield [("key", f"writeup:{m}") for m in some], documents


def _write_parts(engine: Engine, path: Path, parts: Iterator[Part], *, optimize: bool) -> bool:
    """Write ``parts`` in as few commits as their size allows (deletions of
    a commit happen before its additions, so parts must not overlap);
    whether a tier of segments is full. With ``optimize``, the last commit
    rewrites every segment (after a purge)."""
    full = False
    replace: list[tuple[str, str]] = []
    documents: list[Document] = []
    for part_replace, part_documents in parts:
        replace += part_replace
        documents += part_documents
        if len(replace) + len(documents) >= DOCUMENTS_PER_WRITE:
            full = engine.write(path, replace, documents) or full
            replace, documents = [], []
    if replace or documents or optimize:
        full = engine.write(path, replace, documents, optimize=optimize) or full
    return full


def _next_state(state: dict[str, Any], seen: list[int]) -> dict[str, Any]:
    """The cursor moves past every id seen; lower ids not seen yet are kept
    as gaps for a while (a transaction that took its id earlier may still
    commit), then forgotten (it rolled back)."""
    now = time.time()
    cursor = int(state.get("cursor", 0))
    seen_set = set(seen)
    gaps = {
        int(i): float(t)
        for i, t in dict(state.get("gaps", {})).items()
        if int(i) not in seen_set and now - float(t) < GAP_SECONDS
    }
    highest = max(seen_set | {cursor})
    for missing in range(max(cursor + 1, highest - MAX_GAPS), highest):
        if missing not in seen_set:
            gaps[missing] = now
    return {**state, "cursor": highest, "gaps": {str(i): t for i, t in gaps.items()}}


def _not_applied(state: dict[str, Any], also: Iterable[int] = ()) -> sa.ColumnElement[bool]:
    """Outbox rows past this index's cursor, or among its gaps (or ``also``)."""
    condition = IndexOutbox.id > int(state.get("cursor", 0))
    listed = sorted({*(int(i) for i in state.get("gaps", {})), *also})
    return sa.or_(condition, IndexOutbox.id.in_(listed)) if listed else condition


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
) -> int:
    """Drain the outbox into the index, ``batch`` rows at a time; returns
    how many rows were applied. A row whose work fails on its own is set to
    be retried later (``retries``) and the rows behind it are applied; a
    failure that is not the row's (the database or the index is down)
    raises and leaves every row pending. Then merge full tiers of small
    segments: here, or with ``merge`` False in a background thread
    (``merge_soon``). First, with ``scan``, look for created and renamed
    people in the items (``scan_mentions``). Raises ``LockTimeout`` when
    another process keeps the writer lock."""
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
            with _session(app) as session:
                rows = [
                    Work(row.id, row.target, row.target_id)
                    for row in session.scalars(
                        sa.select(IndexOutbox)
                        .where(_not_applied(state, retry))
                        .order_by(IndexOutbox.id)
                        .limit(batch)
                    )
                ]
                if not rows:
                    break
                retry -= {row.id for row in rows}
                wrote, failed = _attempt(engine, path, session, rows)
            full = wrote or full
            ids = [row.id for row in rows]
            _log_failures(failed)
            state = _next_state(state, ids)
            state = retries.settle(state, set(ids) - set(failed), failed, time.time(), policy)
            engine.write_state(path, state)
            applied += len(rows) - len(failed)
            if len(rows) < batch:
                break  # every row due, retries included, was in this batch
        if full and merge:
            engine.merge(path)
    if full and not merge:
        merge_soon(app)
    _prune(app)
    return applied


# Failures that are nobody's row: the index or the database is unusable.
_NOT_THE_ROWS = (IndexUnavailable, LockTimeout, OSError)


def _attempt(
    engine: Engine, path: Path, session: Session, rows: list[Work]
) -> tuple[bool, dict[int, BaseException]]:
    """Write the documents ``rows`` ask for: (whether a tier of segments is
    full, the rows whose work failed on its own with their errors). A
    failing group is halved until the failing rows are found, so one bad row
    costs a few extra attempts, never the rows around it."""
    try:
        meetings, items, writeups = _expand(session, rows)
        parts = _documents(session, meetings, items, writeups)
        purge = any(row.target == "purge" for row in rows)
        return _write_parts(engine, path, parts, optimize=purge), {}
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
        with _session(app) as session:
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


_scanning: dict[str, threading.Thread] = {}


def _scan_in_background(app: Flask) -> bool:
    """Whether a scan for changed people is left to a background thread
    (started here, one per index): when the database holds more than
    ``SEARCH_SYNC_REBUILD_MAX_ITEMS`` items, reading them all would hold up
    the request. Until it is done, search leaves out what it may touch."""
    with _session(app) as session:
        if not naming.scans_pending(session):
            return False
        items = session.scalar(sa.select(sa.func.count(Item.id))) or 0
    if items <= int(app.config["SEARCH_SYNC_REBUILD_MAX_ITEMS"]):
        return False
    key = str(engine_for(app).root)
    with _merging_lock:
        thread = _scanning.get(key)
        if thread is None or not thread.is_alive():
            thread = threading.Thread(
                target=_apply_quietly, args=(app,), name="notesbase-mention-scan", daemon=True
            )
            _scanning[key] = thread
            thread.start()
    return True


def _apply_quietly(app: Flask) -> None:
    try:
        apply(app, timeout=float(app.config["SEARCH_LOCK_TIMEOUT"]), merge=False)
    except LockTimeout:
        log.info("search index busy; the scan for changed people waits for the next apply")
    except Exception:
        log.exception("could not apply the search outbox; it will be replayed")


_merging: dict[str, threading.Thread] = {}
_last_write: dict[str, float] = {}
_merging_lock = threading.Lock()
# However busy the index, a merge waits no longer than this many quiet spells.
MAX_MERGE_WAITS = 10


def merge_soon(app: Flask) -> None:
    """Merge small segments in a background thread (one per index at a
    time), once no save has come for ``SEARCH_MERGE_DELAY`` seconds: a
    merge takes the writer lock and the interpreter's time, so it waits for
    a pause rather than slowing the saves and searches of a busy moment (but
    never more than ``MAX_MERGE_WAITS`` pauses' worth)."""
    key = str(engine_for(app).root)
    with _merging_lock:
        _last_write[key] = time.monotonic()
        running = _merging.get(key)
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(
            target=_merge_when_quiet, args=(app, key), name="notesbase-index-merge", daemon=True
        )
        _merging[key] = thread
        thread.start()


def wait_for_merges(timeout: float | None = None) -> bool:
    """Wait until this process's background merges (``merge_soon``) and
    scans (``_scan_in_background``) have finished, say before its index
    folder is removed; whether they all have within ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _merging_lock:
        threads = [*_merging.values(), *_scanning.values()]
    for thread in threads:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def _merge_when_quiet(app: Flask, key: str) -> None:
    delay = float(app.config["SEARCH_MERGE_DELAY"])
    started = time.monotonic()
    while True:
        with _merging_lock:
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


def pending(app: Flask) -> bool:
    """Whether the outbox holds rows this index has not applied and may
    apply now (failing rows count once their next attempt is due)."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is None:
        return False
    state = engine.read_state(path)
    if retries.due(state, time.time()):
        return True
    gaps = [int(i) for i in state.get("gaps", {})]
    with _session(app) as session:
        if naming.scans_pending(session):
            return True
        highest = session.scalar(sa.select(sa.func.max(IndexOutbox.id)))
        if highest is not None and int(highest) > int(state.get("cursor", 0)):
            return True
        # A lower id still in flight when the index last read may since
        # have committed (only on PostgreSQL); one that rolled back never will.
        late = gaps and session.scalar(
            sa.select(IndexOutbox.id).where(IndexOutbox.id.in_(gaps)).limit(1)
        )
    return bool(late)


# Past this many rows waiting, a search says it is catching up rather than
# read them all to find which documents are stale.
UNAPPLIED_ROWS = 5000


class CatchingUp(Exception):
    """Which documents the waiting changes touch is not known yet."""


def unapplied(app: Flask) -> tuple[set[str], set[str]]:
    """Document keys and meeting scopes named by outbox rows this index has
    not applied yet, failing and set-aside rows included: a search leaves
    them out, so a document that may be stale is never counted (nor shown;
    the re-check would drop it anyway).

    Raises ``CatchingUp`` when which documents are touched is not known:
    while a created or renamed person has not been looked for in the items
    yet (``naming.scan_requested``; ``apply`` does it first), or when more
    than ``UNAPPLIED_ROWS`` rows wait. The search then answers that it is
    catching up rather than count anything it cannot vouch for."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is None:
        return set(), set()
    state = engine.read_state(path)
    with _session(app) as session:
        if naming.scans_pending(session):
            raise CatchingUp("a created or renamed person is not yet looked for in the items")
        rows = [
            Work(row.id, row.target, row.target_id)
            for row in session.scalars(
                sa.select(IndexOutbox)
                .where(_not_applied(state, retries.held(state)))
                .limit(UNAPPLIED_ROWS + 1)
            )
        ]
        if len(rows) > UNAPPLIED_ROWS:
            raise CatchingUp(f"more than {UNAPPLIED_ROWS:,} changes are waiting to be indexed")
        meetings, items, writeups = _expand(session, rows)
        # An item's change can reach its meeting's write-up too.
        for some in chunks(items):
            writeups.update(session.scalars(sa.select(Item.meeting_id).where(Item.id.in_(some))))
    keys = {f"item:{i}" for i in items} | {f"writeup:{m}" for m in writeups}
    return keys, {f"meeting:{m}" for m in meetings}


def held_targets(app: Flask) -> set[tuple[str, int]]:
    """What the rows failing or set aside on this host ask to redo."""
    engine = engine_for(app)
    path = engine.current_path()
    held = retries.held(engine.read_state(path)) if path is not None else []
    found: set[tuple[str, int]] = set()
    with _session(app) as session:
        for some in chunks(held):
            rows = session.execute(
                sa.select(IndexOutbox.target, IndexOutbox.target_id).where(IndexOutbox.id.in_(some))
            )
            found.update((target, target_id) for target, target_id in rows)
    return found


@dataclass(frozen=True)
class Backlog:
    """What this host's index has still to apply, for ``index check`` and
    ``/healthz``."""

    pending: int
    oldest_seconds: float | None
    failing: dict[int, str]
    poisoned: dict[int, str]


def backlog(app: Flask) -> Backlog:
    """Rows not applied yet (past the cursor, in gaps, failing or set
    aside), the age of the oldest, and the failing and set-aside ones with
    their last error. Rows the outbox no longer holds are not counted."""
    engine = engine_for(app)
    path = engine.current_path()
    state = engine.read_state(path) if path is not None else {"cursor": 0, "gaps": {}}
    held = retries.held(state)
    with _session(app) as session:
        waiting = _not_applied(state, held)
        count = session.scalar(sa.select(sa.func.count(IndexOutbox.id)).where(waiting))
        oldest = session.scalar(
            sa.select(IndexOutbox.created_at)
            .where(waiting)
            .order_by(IndexOutbox.created_at)
            .limit(1)
        )
        existing: set[int] = set()
        for some in chunks(held):
            existing.update(
                session.scalars(sa.select(IndexOutbox.id).where(IndexOutbox.id.in_(some)))
            )
    age = None
    if oldest is not None:
        age = max((utcnow() - oldest).total_seconds(), 0.0)
    return Backlog(
        pending=int(count or 0),
        oldest_seconds=age,
        failing={i: e["error"] for i, e in retries.failing(state).items() if i in existing},
        poisoned={i: e["error"] for i, e in retries.poisoned(state).items() if i in existing},
    )


def retry_poisoned(app: Flask, *, timeout: float | None = None) -> list[int]:
    """Make every set-aside row due again (then ``apply`` tries it); their ids."""
    engine = engine_for(app)
    with engine.writer_lock(timeout):
        path = engine.current_path()
        if path is None:
            return []
        state, rows = retries.retry_poisoned(engine.read_state(path))
        engine.write_state(path, state)
    return rows


_last_prune: dict[str, float] = {}


def _prune(app: Flask, *, force: bool = False) -> int:
    """Forget outbox rows older than ``SEARCH_OUTBOX_KEEP_DAYS`` (at most
    hourly per process). A host whose index is further behind than that must
    rebuild (``notesbase index check`` says so)."""
    key = str(app.instance_path)
    if not force and time.time() - _last_prune.get(key, 0) < 3600:
        return 0
    _last_prune[key] = time.time()
    cutoff = utcnow() - timedelta(days=float(app.config["SEARCH_OUTBOX_KEEP_DAYS"]))
    with _session(app) as session:
        result = session.execute(sa.delete(IndexOutbox).where(IndexOutbox.created_at < cutoff))
        session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
            with _session(app) as session:
                # Rows after this point are applied to the new index afterwards.
                start = session.scalar(sa.select(sa.func.max(IndexOutbox.id))) or 0
                recent = session.scalars(
                    sa.select(IndexOutbox.id).where(IndexOutbox.id > start - MAX_GAPS)
                ).all()
                state = _next_state({"cursor": 0, "gaps": {}}, [*recent, start])
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
    if not pending(app):
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
    with _session(app) as session:
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


# -- checking ------------------------------------------------------------------


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    backlog: Backlog = field(default_factory=lambda: Backlog(0, None, {}, {}))
    documents: int = 0

    @property
    def pending(self) -> int:
        return self.backlog.pending

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.backlog.poisoned)


def _same(document: Document, stored: StoredDoc) -> bool:
    return (
        document.fingerprint == stored.fingerprint
        and document.version == stored.version
        and tuple(document.audiences) == stored.audiences
        and tuple(sorted(document.topics)) == tuple(sorted(stored.topics))
        and (document.number, document.day, document.series, document.kind)
        == (stored.number, stored.day, stored.series, stored.kind)
    )


def check(app: Flask) -> CheckReport:
    """Compare the index with the database, document by document."""
    engine = engine_for(app)
    if engine.current_path() is None:
        raise IndexUnavailable("there is no index yet: run `notesbase index rebuild`")
    stored = {doc.doc_id: doc for doc in engine.stored_documents()}
    with _session(app) as session:
        builder = Builder(session)
        expected = {d.doc_id: d for _, docs in builder.all_documents() for d in docs}
    report = CheckReport(backlog=backlog(app), documents=len(stored))
    report.missing = sorted(set(expected) - set(stored))
    report.extra = sorted(set(stored) - set(expected))
    report.stale = sorted(
        doc_id
        for doc_id in set(expected) & set(stored)
        if not _same(expected[doc_id], stored[doc_id])
    )
    return report
