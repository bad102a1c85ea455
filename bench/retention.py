"""Time ``notesbase retention apply`` over the synthetic corpus.

``python -m bench.retention --items 100000 --keep /tmp/corpus`` builds the
corpus and its index once into ``/tmp/corpus`` (reused when it is there),
copies it, gives every series a one-month schedule (``--action``) and runs
the command on the copy, its progress shown, printing the wall time."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench import corpus
from notesbase import create_app
from notesbase.db import db
from notesbase.models import Series
from notesbase.search import indexer

SECRET = "bench-secret-key"  # noqa: S105 - a throw-away instance


def _config(folder: Path) -> dict[str, object]:
    instance = folder / "instance"
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'bench.sqlite3'}",
        "SECRET_KEY": SECRET,
        "SEARCH_APPLY_ON_COMMIT": False,
    }


def build(folder: Path, items: int) -> None:
    """The corpus and its full index, in ``folder`` (skipped when there)."""
    if (folder / "instance" / "bench.sqlite3").exists():
        return
    app = create_app(_config(folder))
    began = time.perf_counter()
    loaded = corpus.load_into(app, corpus.Spec(items=items))
    print(f"loaded {loaded.items} items in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    began = time.perf_counter()
    indexer.rebuild(app)
    print(f"indexed in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    with app.app_context():
        db.engine.dispose()


def schedule(folder: Path, action: str) -> None:
    app = create_app(_config(folder))
    with app.app_context():
        db.session.execute(sa.update(Series).values(retention_months=1, retention_action=action))
        db.session.commit()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, required=True, help="the corpus folder (kept)")
    parser.add_argument("--action", default="purge_notes")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--profile", action="store_true", help="profile in this process")
    args = parser.parse_args(argv)
    build(args.keep, args.items)
    if args.build_only:
        return
    copy = args.keep.with_name(args.keep.name + f"-{args.action}")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(args.keep, copy)
    schedule(copy, args.action)
    instance = copy / "instance"
    env_config = {
        "NOTESBASE_INSTANCE_PATH": str(instance),
        "NOTESBASE_DATABASE_URL": f"sqlite:///{instance / 'bench.sqlite3'}",
        "NOTESBASE_SECRET_KEY": SECRET,
    }
    began = time.perf_counter()
    if args.profile:
        from notesbase.privacy.retention import run

        app = create_app(_config(copy))
        profile = cProfile.Profile()
        profile.enable()
        with app.app_context():
            run.apply(app, run.Options(), report=print)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    else:
        import os

        subprocess.run(
            [sys.executable, "-m", "notesbase", "retention", "apply"],
            check=True,
            env={**os.environ, **env_config},
            stdout=subprocess.DEVNULL,
        )
    print(f"retention apply ({args.action}): {time.perf_counter() - began:.1f} s wall")


if __name__ == "__main__":
    main()
