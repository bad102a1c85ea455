"""Writing a whole new index: the meetings are shared out among worker
processes, each of which makes its meetings' documents (reading the
database and running ``disclose``, most of the work) and writes them into
segments of its own; the segments are then committed together.

Workers are new interpreters running ``notesbase.rebuild_worker``
(``python -m``), which build their own app from the parent's
configuration: never a ``fork`` of the parent, which may be a threaded
server whose copy could inherit locks held by threads that do not exist in
the copy, and independent of whatever script started the parent. Small databases are rebuilt in the
calling process, where starting workers would cost more than it saves."""

from __future__ import annotations

import math
import os
import pickle
import selectors
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from notesbase import renders
from notesbase.db import db
from notesbase.models import Item, Meeting
from notesbase.search.documents import Builder, Document
from notesbase.search.engine import Engine

Progress = Callable[[int, int], None]
# Documents per segment: Whoosh sorts a segment's postings in memory, so
# this bounds what one writer holds (about 0.3 GB at 150-word items).
SEGMENT_DOCUMENTS = 12_000
# Items per worker below which another worker is not worth starting.
ITEMS_PER_WORKER = 2_500
# About what one process writes while a worker starts (a fresh interpreter
# importing the app: about 1.5 s).
HEAD_START_ITEMS = 800
# The module a worker process runs.
WORKER = "notesbase.rebuild_worker"


class RebuildFailed(Exception):
    """A worker process of the rebuild failed."""


def write_all(app: Flask, engine: Engine, path: Path, progress: Progress | None = None) -> int:
    """Write every document of the database into ``engine``'s new index at
    ``path`` and commit; returns how many documents were written."""
    renders.wipe(app)  # a new start: nothing from before the rebuild is kept
    meetings, items = _meetings_and_items(app)
    # Through Whoosh's public writer, segments are written one at a time.
    workers = _workers(app, items) if engine.writer.parallel_segments else 1
    if workers == 1:
        with app.app_context():
            segments, count = write_shard(engine, path, [m for m, _ in meetings], progress)
    else:
        segments, count = _in_workers(app, engine, path, _shares(meetings, workers), progress)
    engine.commit_segments(path, segments)
    return count


def _meetings_and_items(app: Flask) -> tuple[list[tuple[int, int]], int]:
    """(meeting id, its number of items) for every meeting, and all items."""
    with app.app_context():
        counts = dict(
            db.session.execute(
                sa.select(Item.meeting_id, sa.func.count(Item.id)).group_by(Item.meeting_id)
            ).all()
        )
        ids = db.session.scalars(sa.select(Meeting.id).order_by(Meeting.id)).all()
    meetings = [(meeting_id, int(counts.get(meeting_id, 0))) for meeting_id in ids]
    return meetings, sum(n for _, n in meetings)


def _workers(app: Flask, items: int) -> int:
    wanted = app.config.get("SEARCH_REBUILD_PROCESSES") or os.cpu_count() or 1
    return max(1, min(int(wanted), math.ceil(items / ITEMS_PER_WORKER)))


def _shares(meetings: list[tuple[int, int]], workers: int) -> list[list[int]]:
    """Meetings in runs, one per process. The first run is written by the
    calling process, which starts at once while a worker takes a second or
    more to start: it gets ``HEAD_START_ITEMS`` more, the others as many
    items each, so all end together."""
    total = sum(n for _, n in meetings) + len(meetings)
    head = min(HEAD_START_ITEMS, total // workers)
    each = (total - head) / workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    done = 0
    for meeting_id, count in meetings:
        share = 0 if done < each + head else int((done - head) // each)
        shares[min(workers - 1, share)].append(meeting_id)
        done += count + 1
    return [share for share in shares if share]


def write_shard(
    engine: Engine, path: Path, meeting_ids: Sequence[int], progress: Progress | None
) -> tuple[list[Any], int]:
    """Make and write the documents of these meetings (inside an app
    context), a segment per ``SEGMENT_DOCUMENTS``."""
    builder = Builder(db.session)
    meetings = list(builder.meetings(meeting_ids))
    segments: list[Any] = []
    written = 0
    documents = _documents(builder, meetings, progress)
    while True:
        batch = _Batch(documents, SEGMENT_DOCUMENTS)
        segment = engine.write_segment(path, batch)
        written += batch.count
        if segment is not None:
            segments.append(segment)
        if batch.exhausted:
            return segments, written


def _documents(
    builder: Builder, meetings: Sequence[Meeting], progress: Progress | None
) -> Iterator[Document]:
    for done, meeting in enumerate(meetings, start=1):
        yield from builder.meeting_documents(meeting)
        if progress is not None:
            progress(done, len(meetings))


class _Batch:
    """At most ``limit`` documents from ``documents``; says whether they ran out."""

    def __init__(self, documents: Iterator[Document], limit: int) -> None:
        self.documents = documents
        self.limit = limit
        self.count = 0
        self.exhausted = False

    def __iter__(self) -> Iterator[Document]:
        for document in self.documents:
            self.count += 1
            yield document
            if self.count >= self.limit:
                return
        self.exhausted = True


def _in_workers(
    app: Flask, engine: Engine, path: Path, shares: list[list[int]], progress: Progress | None
) -> tuple[list[Any], int]:
    """Start a worker for every share but the first, write the first here
    meanwhile (a worker takes over a second to start), then wait for the
    workers. Each prints a dot per meeting done; with this process's own
    meetings they drive ``progress``."""
    config = _portable_config(app)
    total = sum(len(share) for share in shares)
    folder = Path(tempfile.mkdtemp(prefix="rebuild-", dir=path))
    team = _Team()
    try:
        for number, share in enumerate(shares[1:], start=1):
            job = folder / f"job-{number}.pickle"
            job.write_bytes(pickle.dumps((config, str(path), share)))
            team.start(job)
        mine = [0]

        def advance(done: int, _total: int) -> None:
            mine[0] = done
            team.read(timeout=0)
            if progress is not None:
                progress(min(done + team.done, total), total)

        with app.app_context():
            segments, count = write_shard(engine, path, shares[0], advance)
        while team.running():
            team.read(timeout=None)
            if progress is not None:
                progress(min(mine[0] + team.done, total), total)
        for worker in team.workers:
            if worker.process.wait() != 0:
                said = worker.errors.decode("utf-8", "replace").strip()
                raise RebuildFailed(f"a rebuild worker failed: {said[-2000:]}")
            found, written = pickle.loads(worker.job.with_suffix(".out").read_bytes())  # noqa: S301
            segments.extend(found)
            count += written
        return segments, count
    finally:
        team.stop()
        shutil.rmtree(folder, ignore_errors=True)


class _Worker:
    """One worker process and what it has printed on standard error."""

    def __init__(self, job: Path) -> None:
        self.job = job
        self.process = subprocess.Popen(  # noqa: S603 - our own module, our own interpreter
            [sys.executable, "-m", WORKER, str(job)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.errors = b""


class _Team:
    """The worker processes of a rebuild, and the meetings they have
    reported done. Their output is read as it comes, so a talkative worker
    never blocks on a full pipe."""

    def __init__(self) -> None:
        self.workers: list[_Worker] = []
        self.done = 0
        self._selector = selectors.DefaultSelector()
        self._open = 0

    def start(self, job: Path) -> None:
        worker = _Worker(job)
        self.workers.append(worker)
        for pipe in (worker.process.stdout, worker.process.stderr):
            assert pipe is not None
            self._selector.register(pipe, selectors.EVENT_READ, worker)
            self._open += 1

    def running(self) -> bool:
        return self._open > 0

    def read(self, timeout: float | None) -> None:
        """Take in what the workers have printed (waiting up to ``timeout``)."""
        if not self._open:
            return
        for key, _ in self._selector.select(timeout):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                self._selector.unregister(key.fileobj)
                self._open -= 1
            elif key.fileobj is key.data.process.stderr:
                key.data.errors = (key.data.errors + chunk)[-20000:]
            else:
                self.done += chunk.count(b".")

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait()
            for pipe in (worker.process.stdout, worker.process.stderr):
                if pipe is not None:
                    pipe.close()
        self._selector.close()


def _portable_config(app: Flask) -> dict[str, Any]:
    """The parent's configuration, as far as it crosses to a new process."""
    config = {}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: S112 - such a setting stays behind
            continue
        config[key] = value
    config["INSTANCE_PATH"] = app.instance_path
    return config
