"""Index work, committed in the same transaction as the change it follows.

Session hooks look at what a flush writes and add ``index_outbox`` rows for
it: an item changed, a meeting changed (its items, topics, description), a
person or their consent changed (every item they speak in or are named in),
a write-up changed, a topic changed. No call site can forget to, and a crash
after the commit leaves the rows for the next ``apply`` to replay."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session, UOWTransaction

from notesbase.models import Consent, IndexOutbox, Item, Meeting, Person, Topic, Writeup, utcnow
from notesbase.models.search import PURGE_REQUESTS
from notesbase.notes.facts import people_mentions
from notesbase.search.naming import Saved, items_mentioning, record, request_scan

_INFO_PENDING = "search_outbox_pending"
_INFO_DELETED_SPEAKERS = "search_outbox_deleted_speakers"
# The fields of a person that their items may carry.
_NAMING = ("name", "affiliation", "descriptor", "email")
# The fields of an item that decide who it names or credits.
_ITEM_NAMING = ("body", "section", "speaker_id", "speaker")


def _targets(session: Session) -> set[tuple[str, int]]:
    targets: set[tuple[str, int]] = set()
    changed = [*session.new, *(o for o in session.dirty if session.is_modified(o))]
    for obj in [*changed, *session.deleted]:
        if isinstance(obj, Item) and obj.id is not None:
            targets.add(("item", obj.id))
            if obj in session.deleted and obj.meeting_id is not None:
                # Its meeting's write-up may have carried it.
                targets.add(("writeup", obj.meeting_id))
        elif isinstance(obj, Meeting) and obj.id is not None and _indexed_change(session, obj):
            targets.add(("meeting", obj.id))
        elif isinstance(obj, Person) and obj.id is not None:
            targets.add(("person", obj.id))
        elif isinstance(obj, Consent) and obj.person_id is not None:
            targets.add(("person", obj.person_id))
        elif isinstance(obj, Writeup) and obj.meeting_id is not None:
            targets.add(("writeup", obj.meeting_id))
        elif isinstance(obj, Topic) and obj.id is not None:
            targets.add(("topic", obj.id))
    return targets


# A meeting's columns that no document reads: recording that its retention
# schedule was carried out redoes none of its documents.
_MEETING_BOOKKEEPING = frozenset({"retention_applied", "retention_applied_at", "updated_at"})


def _indexed_change(session: Session, obj: Meeting) -> bool:
    """Whether a new, deleted or changed meeting changed anything its
    documents read (anything but ``_MEETING_BOOKKEEPING``)."""
    if obj in session.new or obj in session.deleted:
        return True
    state = sa.inspect(obj)
    return any(
        attribute.history.has_changes()
        for attribute in state.attrs
        if attribute.key not in _MEETING_BOOKKEEPING
    )


def _renamed(obj: Person) -> bool:
    """Whether a person's details that items may carry change in this flush."""
    state = sa.inspect(obj)
    return any(state.attrs[name].history.deleted for name in _NAMING)


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    # Items that name a person by what they are about to stop being called
    # (a rename, a deleted person), or that a deleted person speaks in
    # (ON DELETE SET NULL clears it), are found by the record while it
    # still says so.
    leaving = [
        obj.id
        for obj in [*session.deleted, *session.dirty]
        if isinstance(obj, Person) and obj.id and (obj in session.deleted or _renamed(obj))
    ]
    if leaving:
        with session.no_autoflush:
            ids = items_mentioning(session, leaving)
        session.info.setdefault(_INFO_DELETED_SPEAKERS, set()).update(ids)


def _saved_items(session: Session) -> list[Saved]:
    """Items written by this flush whose text or speaker may have changed."""
    saved: list[Saved] = []
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, Item) or obj.id is None or obj in session.deleted:
            continue
        if obj not in session.new:
            state = sa.inspect(obj)
            if not any(state.attrs[name].history.has_changes() for name in _ITEM_NAMING):
                continue
        saved.append(Saved(obj.id, obj.body or "", obj.section or "", obj.speaker_id))
    return saved


def _record_mentions(session: Session) -> None:
    """Keep ``item_mentions`` for the items this flush saved, and ask for a
    scan of every item for the people it created or renamed."""
    saved = _saved_items(session)
    scan = [
        obj.id
        for obj in [*session.new, *session.dirty]
        if isinstance(obj, Person)
        and obj.id is not None
        and obj not in session.deleted
        and (obj in session.new or _renamed(obj))
    ]
    if not saved and not scan:
        return
    connection = session.connection()
    with session.no_autoflush:
        if saved:
            # Everyone as this flush leaves them: one matcher for all its items.
            record(connection, people_mentions(session), saved)
        if scan:
            request_scan(connection, scan)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    _record_mentions(session)
    targets = _targets(session)
    targets.update(("item", i) for i in session.info.pop(_INFO_DELETED_SPEAKERS, ()))
    targets.update(("purge", i) for i in session.info.pop(PURGE_REQUESTS, ()))
    if not targets:
        return
    now = utcnow()
    session.connection().execute(
        sa.insert(IndexOutbox),
        [{"target": t, "target_id": i, "created_at": now} for t, i in sorted(targets)],
    )
    session.info[_INFO_PENDING] = True


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT was released: the real commit is still to come
    if not session.info.pop(_INFO_PENDING, False):
        return
    if not has_app_context() or not current_app.config.get("SEARCH_APPLY_ON_COMMIT", True):
        return
    from notesbase.search.indexer import apply_after_commit

    apply_after_commit(current_app._get_current_object())  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    # The pending flag stays: an apply that finds nothing new costs little.
    for key in (_INFO_DELETED_SPEAKERS, PURGE_REQUESTS):
        session.info.pop(key, None)


_installed = False


def install() -> None:
    """Listen on every session (once per process)."""
    global _installed
    if _installed:
        return
    sa.event.listen(Session, "before_flush", _before_flush)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "after_commit", _after_commit)
    sa.event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    _installed = True
