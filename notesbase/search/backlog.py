"""What this host's index has still to apply from the outbox.

The index remembers the last outbox row it applied (its cursor) and any
lower ids still in flight when it read (gaps), which a slower transaction
may yet commit (``next_state``). From those: whether anything is pending,
the documents a search must leave out meanwhile (``unapplied``), the
backlog for ``notesbase index check`` and ``/healthz``, and the rows old
enough to forget (``prune``)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase.models import IndexOutbox, Item, utcnow
from notesbase.search import changes, naming, retries
from notesbase.search.changes import Work
from notesbase.search.context import engine_for, own_session
from notesbase.search.naming import chunks

GAP_SECONDS = 600
MAX_GAPS = 1000


def next_state(state: dict[str, Any], seen: list[int]) -> dict[str, Any]:
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


def not_applied(state: dict[str, Any], also: Iterable[int] = ()) -> sa.ColumnElement[bool]:
    """Outbox rows past this index's cursor, or among its gaps (or ``also``)."""
    condition = IndexOutbox.id > int(state.get("cursor", 0))
    listed = sorted({*(int(i) for i in state.get("gaps", {})), *also})
    return sa.or_(condition, IndexOutbox.id.in_(listed)) if listed else condition


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
    with own_session(app) as session:
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
    with own_session(app) as session:
        if naming.scans_pending(session):
            raise CatchingUp("a created or renamed person is not yet looked for in the items")
        rows = [
            Work(row.id, row.target, row.target_id)
            for row in session.scalars(
                sa.select(IndexOutbox)
                .where(not_applied(state, retries.held(state)))
                .limit(UNAPPLIED_ROWS + 1)
            )
        ]
        if len(rows) > UNAPPLIED_ROWS:
            raise CatchingUp(f"more than {UNAPPLIED_ROWS:,} changes are waiting to be indexed")
        meetings, items, writeups = changes.expand(session, rows)
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
    with own_session(app) as session:
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
    with own_session(app) as session:
        waiting = not_applied(state, held)
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


def prune(app: Flask, *, force: bool = False) -> int:
    """Forget outbox rows older than ``SEARCH_OUTBOX_KEEP_DAYS`` (at most
    hourly per process). A host whose index is further behind than that must
    rebuild (``notesbase index check`` says so)."""
    key = str(app.instance_path)
    if not force and time.time() - _last_prune.get(key, 0) < 3600:
        return 0
    _last_prune[key] = time.time()
    cutoff = utcnow() - timedelta(days=float(app.config["SEARCH_OUTBOX_KEEP_DAYS"]))
    with own_session(app) as session:
        result = session.execute(sa.delete(IndexOutbox).where(IndexOutbox.created_at < cutoff))
        session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
