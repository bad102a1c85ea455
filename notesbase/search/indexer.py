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
from notesbase.models import IndexOutbox, Item, Person, meeting_topics, utcnow
from notesbase.search.documents import Builder, Document
from notesbase.search.engine import Engine, IndexUnavailable, LockTimeout, StoredDoc
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


def _expand(session: Session, rows: Iterable[IndexOutbox]) -> tuple[set[int], set[int], set[int]]:
    """What the rows ask for, as (meetings to redo whole, items, write-ups)."""
    by_target: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_target[row.target].add(row.target_id)
    meetings = set(by_target["meeting"])
    items = set(by_target["item"]) | set(by_target["purge"])
    writeups = set(by_target["writeup"])
    if by_target["topic"]:
        meetings.update(
            session.scalars(
                sa.select(meeting_topics.c.meeting_id).where(
                    meeting_topics.c.topic_id.in_(by_target["topic"])
                )
            )
        )
    if by_target["person"]:
        items.update(_items_of_people(session, by_target["person"]))
    return meetings, items, writeups - meetings


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def person_terms(name: str, affiliation: str, descriptor: str, email: str | None) -> set[str]:
    """Every string ``disclose`` may withhold or release for a person: the
    items whose text carries one of them read differently when the person's
    consent, name or details change."""
    words = name.split()
    terms = {name, affiliation, descriptor, email or ""}
    if len(words) > 1 and len(words[-1]) >= 3:
        terms.add(words[-1])
    return {term.strip() for term in terms if term and term.strip()}


def items_naming(session: Session, terms: Iterable[str]) -> set[int]:
    patterns = [like_pattern(term) for term in terms if term]
    conditions = [
        sa.func.lower(column).like(pattern, escape="\\")
        for pattern in patterns
        for column in (Item.body, Item.section)
    ]
    if not conditions:
        return set()
    return set(session.scalars(sa.select(Item.id).where(sa.or_(*conditions))))


def _items_of_people(session: Session, person_ids: set[int]) -> set[int]:
    """Items a person speaks in, or whose text names them (by full name,
    surname, affiliation, descriptor or email): their consent decides how
    those read."""
    found = set(session.scalars(sa.select(Item.id).where(Item.speaker_id.in_(person_ids))))
    terms: set[str] = set()
    for person in session.scalars(sa.select(Person).where(Person.id.in_(person_ids))):
        terms |= person_terms(person.name, person.affiliation, person.descriptor, person.email)
    return found | items_naming(session, terms)


def _documents(
    session: Session, meetings: set[int], items: set[int], writeups: set[int]
) -> tuple[list[tuple[str, str]], list[Document]]:
    rows = session.scalars(sa.select(Item).where(Item.id.in_(items))).all() if items else []
    by_meeting: dict[int, list[Item]] = defaultdict(list)
    for item in rows:
        if item.meeting_id not in meetings:
            by_meeting[item.meeting_id].append(item)
    builder = Builder(session, meetings | set(by_meeting))
    replace: list[tuple[str, str]] = []
    documents: list[Document] = []
    for meeting in builder.meetings(meetings):
        documents.extend(builder.meeting_documents(meeting))
    replace.extend(("scope", f"meeting:{m}") for m in sorted(meetings))
    for meeting in builder.meetings(by_meeting):
        documents.extend(builder.item_documents(meeting, by_meeting[meeting.id]))
    replace.extend(("key", f"item:{i}") for i in sorted(items))
    # A published write-up shows its items as they read now: redo it too.
    writeups = (writeups | set(by_meeting)) - meetings
    for meeting in builder.meetings(writeups):
        document = builder.writeup_document(meeting)
        if document is not None:
            documents.append(document)
    replace.extend(("key", f"writeup:{m}") for m in sorted(writeups))
    return replace, documents


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
    return {"cursor": highest, "gaps": {str(i): t for i, t in gaps.items()}}


def _not_applied(state: dict[str, Any]) -> sa.ColumnElement[bool]:
    """Outbox rows past this index's cursor, or among its gaps."""
    condition = IndexOutbox.id > int(state.get("cursor", 0))
    gaps = [int(i) for i in state.get("gaps", {})]
    return sa.or_(condition, IndexOutbox.id.in_(gaps)) if gaps else condition


def apply(
    app: Flask, *, timeout: float | None = None, batch: int = 2000, merge: bool = True
) -> int:
    """Drain the outbox into the index; returns how many rows were applied.
    Then merge full tiers of small segments: here, or with ``merge`` False
    in a background thread (``merge_soon``). Raises ``LockTimeout`` when
    another process keeps the writer lock."""
    engine = engine_for(app)
    if not ensure(app):
        return 0
    applied = 0
    full = False
    with engine.writer_lock(timeout):
        path = engine.current_path()
        if path is None:
            return 0
        while True:
            state = engine.read_state(path)
            with _session(app) as session:
                rows = session.scalars(
                    sa.select(IndexOutbox)
                    .where(_not_applied(state))
                    .order_by(IndexOutbox.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                meetings, items, writeups = _expand(session, rows)
                replace, documents = _documents(session, meetings, items, writeups)
                purge = any(row.target == "purge" for row in rows)
                full = engine.write(path, replace, documents, optimize=purge) or full
                engine.write_state(path, _next_state(state, [row.id for row in rows]))
            applied += len(rows)
            if len(rows) < batch:
                break
        if full and merge:
            engine.merge(path)
    if full and not merge:
        merge_soon(app)
    _prune(app)
    return applied


def apply_soon(app: Flask) -> None:
    """After a commit, in the embedded default: apply now, so the next
    search sees the change. Never fails the request whose change has
    already committed; what is not applied now stays in the outbox. Merges
    happen in the background: a request never waits for one."""
    try:
        apply(app, timeout=float(app.config["SEARCH_APPLY_TIMEOUT"]), merge=False)
    except LockTimeout:
        log.info("search index busy; the outbox will be applied by the lock holder or later")
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
    """Wait until this process's background merges (``merge_soon``) have
    finished, say before its index folder is removed; whether they all have
    within ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _merging_lock:
        threads = list(_merging.values())
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
    """Whether the outbox holds rows this index has not applied."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is None:
        return False
    state = engine.read_state(path)
    gaps = [int(i) for i in state.get("gaps", {})]
    with _session(app) as session:
        highest = session.scalar(sa.select(sa.func.max(IndexOutbox.id)))
        if highest is not None and int(highest) > int(state.get("cursor", 0)):
            return True
        # A lower id still in flight when the index last read may since
        # have committed (only on PostgreSQL); one that rolled back never will.
        late = gaps and session.scalar(
            sa.select(IndexOutbox.id).where(IndexOutbox.id.in_(gaps)).limit(1)
        )
    return bool(late)


def unapplied(app: Flask) -> tuple[set[str], set[str]]:
    """Document keys and meeting scopes named by outbox rows this index has
    not applied yet: a search leaves them out, so a document that may be
    stale is never counted (nor shown; the re-check would drop it anyway)."""
    engine = engine_for(app)
    path = engine.current_path()
    if path is None:
        return set(), set()
    state = engine.read_state(path)
    with _session(app) as session:
        rows = session.scalars(sa.select(IndexOutbox).where(_not_applied(state)).limit(5000)).all()
        meetings, items, writeups = _expand(session, rows)
        # An item's change can reach its meeting's write-up too.
        if items:
            writeups |= set(session.scalars(sa.select(Item.meeting_id).where(Item.id.in_(items))))
    keys = {f"item:{i}" for i in items} | {f"writeup:{m}" for m in writeups}
    return keys, {f"meeting:{m}" for m in meetings}


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
            count = write_all(app, path, progress)
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
    pending: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


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
        path = engine.current_path()
        cursor = int(engine.read_state(path).get("cursor", 0)) if path else 0
        report_pending = session.scalar(
            sa.select(sa.func.count(IndexOutbox.id)).where(IndexOutbox.id > cursor)
        )
    report = CheckReport(pending=int(report_pending or 0), documents=len(stored))
    report.missing = sorted(set(expected) - set(stored))
    report.extra = sorted(set(stored) - set(expected))
    report.stale = sorted(
        doc_id
        for doc_id in set(expected) & set(stored)
        if not _same(expected[doc_id], stored[doc_id])
    )
    return report
