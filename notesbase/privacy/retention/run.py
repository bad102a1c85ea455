"""Running every series' schedule: which meetings are due, carrying out
each one's action and committing it on its own (a crash leaves each
meeting done or untouched; the next run resumes with the rest), one run
at a time, then clearing the freed space and bringing the search index
up to date in one pass (one purge for the whole run)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.models import Meeting, RetentionAction, Series, utcnow
from notesbase.notes.items import clear_freed_space
from notesbase.privacy.retention.outcomes import Outcome, carry_out
from notesbase.privacy.retention.schedule import due_meetings_query

Report = Callable[[str], None]
# An arbitrary, fixed key for PostgreSQL's advisory lock: "retention".
_ADVISORY_KEY = 0x7265_7465_6E74
PROGRESS_SECONDS = 1.0


class RunLocked(RuntimeError):
    """Another retention run holds the lock."""


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    series_slug: str | None = None
    today: date | None = None


@dataclass
class Summary:
    meetings: int = 0
    done: int = 0
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def today_utc() -> date:
    """Meetings fall due by the UTC date (a day's difference at most)."""
    return utcnow().date()


def series_in_scope(slug: str | None) -> list[Series]:
    query = sa.select(Series).order_by(Series.slug)
    if slug is not None:
        query = query.where(Series.slug == slug)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Due:
    """A series in scope, its schedule, and the ids of its meetings due."""

    slug: str
    months: int | None
    action: RetentionAction | None
    meeting_ids: list[int]


def due(slug: str | None, today: date) -> list[Due]:
    """Each series in scope with the ids of its meetings due ``today``."""
    found = []
    for series in series_in_scope(slug):
        ids = list(
            db.session.scalars(due_meetings_query(series, today).with_only_columns(Meeting.id))
        )
        found.append(Due(series.slug, series.retention_months, series.retention_action, ids))
    return found


@contextmanager
def run_lock(app: Flask) -> Iterator[None]:
    """One run at a time: PostgreSQL's advisory lock (across hosts), or a
    file lock in the instance folder beside the SQLite database."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            got = connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY}
            )
            if not got:
                raise RunLocked
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
                connection.commit()
        return
    path = Path(app.instance_path) / "retention.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def describe(outcome: Outcome) -> str:
    counts = ", ".join(
        f"{name.replace('_', ' ')} {value}" for name, value in outcome.counts.items()
    )
    return counts or "nothing left to change"


def apply(
    app: Flask, options: Options, *, report: Report, progress: Report | None = None
) -> Summary:
    """Carry out (or, dry, count) every due meeting's action; see the module."""
    today = options.today or today_utc()
    summary = Summary()
    plan = due(options.series_slug, today)
    total = sum(len(entry.meeting_ids) for entry in plan)
    summary.meetings = total
    verb = "would" if options.dry_run else "will"
    last = time.monotonic()
    position = 0
    for entry in plan:
        schedule_action, ids = entry.action, entry.meeting_ids
        if not ids:
            continue
        assert schedule_action is not None
        report(f"{entry.slug}: {len(ids)} meeting(s) due; {verb} {schedule_action.value}")
        for meeting_id in ids:
            position += 1
            meeting = db.session.get(Meeting, meeting_id)
            if meeting is None:
                continue
            number = meeting.number
            label = f"  meeting {number} ({meeting.date.isoformat()})"
            try:
                outcome = carry_out(meeting, schedule_action, dry_run=options.dry_run)
                if options.dry_run:
                    db.session.rollback()
                else:
                    db.session.commit()
            except Exception as error:  # one meeting's failure stops no other
                db.session.rollback()
                summary.failed.append(f"{entry.slug} meeting {meeting_id}: {error}")
                report(f"{label}: failed, left untouched: {type(error).__name__}")
                continue
            summary.done += 1
            report(f"{label}: {describe(outcome)}")
            summary.notes += [f"{entry.slug} meeting {number}: {n}" for n in outcome.notes]
            db.session.expunge_all()
            if progress is not None and (
                time.monotonic() - last >= PROGRESS_SECONDS or position == total
            ):
                last = time.monotonic()
                progress(f"meeting {position}/{total} …")
    if summary.done and not options.dry_run:
        clear_freed_space()
        _update_index(app, progress)
    return summary


def _update_index(app: Flask, progress: Report | None) -> None:
    """The index purged of what left, in one pass (its rows are committed:
    should this fail, the next ``notesbase index apply`` does it)."""
    from notesbase.search import indexer

    if progress is not None:
        progress("updating the search index …")
    indexer.apply(app, batch=100_000, progress=progress)
