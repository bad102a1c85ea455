"""A worker process of a search index rebuild (``python -m
notesbase.rebuild_worker JOB``, started by ``notesbase.search.rebuilding``):
its own app and database connection, built from the parent's
configuration, its share of the meetings, its own segments; a dot on
standard output per meeting. A program, like ``serving``: it builds the
whole app (features register the documents' sources), so it stands above
the factory, and nothing imports it."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from notesbase import create_app
from notesbase.db import db
from notesbase.search.context import engine_for
from notesbase.search.rebuilding import write_shard


def work(job: Path) -> None:
    """Do the job the parent wrote to ``job``; write the answer beside it."""
    config, path, meeting_ids = pickle.loads(job.read_bytes())  # noqa: S301 - written by our parent

    def advance(_done: int, _total: int) -> None:
        sys.stdout.write(".")
        sys.stdout.flush()

    app = create_app(config)
    with app.app_context():
        segments, count = write_shard(engine_for(app), Path(path), meeting_ids, advance)
        db.engine.dispose()
    job.with_suffix(".out").write_bytes(pickle.dumps((segments, count)))


if __name__ == "__main__":
    work(Path(sys.argv[1]))
