"""Benchmark search on a synthetic corpus, beside two references.

    .venv/bin/python -m bench.search [--items 10000] [--procs 2,1] [--repeat 30]
                                     [--changes 20] [--workers 2] [--no-http]
                                     [--profile rebuild|search|http|update] [--keep DIR]

In one run, on one corpus (``bench.corpus``) and one set of queries, in a
throw-away instance folder (SQLite, or an empty database named by
NOTESBASE_BENCH_DATABASE_URL):

1. loading the corpus, and full rebuilds of the index with one writer and
   with several (``SEARCH_REBUILD_PROCESSES``), beside building SQLite FTS5
   from the same disclosed member texts;
2. search latency, p50 and p95, for six kinds of query, as a logged-in
   member: through the real HTTP stack (gunicorn if installed, else
   ``notesbase run``) with a warm server; through ``service.search`` in
   process; through ``Engine.search`` with and without highlights; and the
   references: Whoosh with a new searcher per query, and FTS5;
3. one change: commit-to-searchable latency with the embedded apply after
   commit (in process, and seen by the server's other processes), and, with
   a worker draining the outbox instead, the cost of the save with and
   without the outbox hooks and of the worker's apply.

Every figure is printed with its ratio to both references, then a summary
against the targets of the search issue. Run it on an otherwise idle
machine: the load average is printed beside the figures."""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import math
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from bench import corpus, server
from bench.references import Fts5, Texts, highlighted, new_searcher_search
from notesbase import create_app
from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import IndexOutbox, Item, Meeting, Member, utcnow
from notesbase.notes.items import ItemFields, update_item
from notesbase.search import indexer, outbox, service
from notesbase.search.documents import Builder
from notesbase.search.query import Filters, ParsedQuery, parse

SECRET = "bench-secret-key"  # noqa: S105 - a throw-away instance


# -- figures -------------------------------------------------------------------


@dataclass
class Sample:
    """Latencies in milliseconds."""

    values: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def max(self) -> float:
        return max(self.values)


def measure(action: Callable[[], object], repeat: int, warm: int = 3) -> Sample:
    for _ in range(warm):
        action()
    values = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        values.append((time.perf_counter() - began) * 1000)
    return Sample(values)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (writer processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@dataclass
class Rebuild:
    processes: int
    wall: float
    cpu: float
    documents: int


@dataclass
class Results:
    loaded: corpus.Loaded | None = None
    load_seconds: float = 0.0
    rebuilds: list[Rebuild] = field(default_factory=list)
    fts_build: float = 0.0
    fts_documents: int = 0
    index_bytes: int = 0
    server_label: str = ""
    # query name -> row label -> sample; and hit counts
    search: dict[str, dict[str, Sample]] = field(default_factory=dict)
    hits: dict[str, dict[str, int]] = field(default_factory=dict)
    updates: dict[str, Sample] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)


HTTP = "HTTP GET /search, warm server"
SERVICE = "service.search (re-check, snippets)"
ENGINE_HL = "Engine.search + highlights"
ENGINE = "Engine.search alone"
NEW_SEARCHER = "ref: Whoosh, new searcher per query"
FTS = "ref: SQLite FTS5 (bm25, snippet)"
ROWS = [HTTP, SERVICE, ENGINE_HL, ENGINE, NEW_SEARCHER, FTS]


# -- the run -------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args = args
        self.folder = folder
        self.instance = folder / "instance"
        self.database_url = os.environ.get("NOTESBASE_BENCH_DATABASE_URL") or (
            f"sqlite:///{self.instance / 'bench.sqlite3'}"
        )
        self.app: Flask = create_app(
            {
                "INSTANCE_PATH": str(self.instance),
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": SECRET,
                # Nothing is indexed item by item while loading.
                "SEARCH_APPLY_ON_COMMIT": False,
            }
        )
        self.results = Results()
        self.texts = Texts()
        self.rng = random.Random(args.seed)  # noqa: S311 - repeatable choices, not security
        self.words = 0

    @contextlib.contextmanager
    def profiled(self, phase: str) -> Iterator[None]:
        if self.args.profile != phase:
            yield
            return
        profile = cProfile.Profile()
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(35)
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("tottime").print_stats(20)
            self.results.profiles.append(f"== profile of {phase} ==\n{out.getvalue()}")

    def run(self) -> Results:
        spec = corpus.Spec(
            items=self.args.items,
            items_per_meeting=self.args.per_meeting,
            series=self.args.series,
            people=self.args.people,
            seed=self.args.seed,
        )
        began = time.perf_counter()
        self.results.loaded = corpus.load_into(self.app, spec)
        self.results.load_seconds = time.perf_counter() - began
        say(f"loaded {self.results.loaded.items} items in {self.results.load_seconds:.1f} s")
        with self.profiled("rebuild"):
            for processes in self.args.procs:
                self.rebuild(processes)
        self.gather_texts()
        self.results.index_bytes = _folder_bytes(indexer.engine_for(self.app).current_path())
        fts = self.build_fts()
        # The benchmark holds every text it indexed (for FTS5 and highlights);
        # left to the garbage collector, walking them would be timed as search.
        # A server freezes what it holds after start-up the same way.
        gc.collect()
        gc.freeze()
        try:
            with self.profiled("search"):
                self.search_in_process(fts)
            if self.args.http:
                self.over_http()
            with self.profiled("update"):
                self.updates_in_process()
                self.updates_with_worker()
        finally:
            fts.close()
            # A merge the saves above started may still be writing into the
            # instance folder, which is removed next.
            indexer.wait_for_merges(timeout=120)
            with self.app.app_context():
                db.engine.dispose()
        return self.results

    # -- indexing --------------------------------------------------------------

    def rebuild(self, processes: int) -> None:
        self.app.config["SEARCH_REBUILD_PROCESSES"] = processes
        cpu = cpu_seconds()
        began = time.perf_counter()
        count = indexer.rebuild(self.app)
        wall = time.perf_counter() - began
        self.results.rebuilds.append(Rebuild(processes, wall, cpu_seconds() - cpu, count))
        say(f"rebuilt with {processes} process(es): {count} documents in {wall:.1f} s")

    def gather_texts(self) -> None:
        """The member texts (for FTS5 and the highlights), made again as the
        rebuild made them (not timed)."""
        with self.app.app_context():
            for _, documents in Builder(db.session).all_documents():
                self.texts.take(documents)

    def build_fts(self) -> Fts5:
        fts = Fts5(self.folder / "fts5.sqlite3")
        began = time.perf_counter()
        fts.build(self.texts.member_items)
        self.results.fts_build = time.perf_counter() - began
        self.results.fts_documents = len(self.texts.member_items)
        return fts

    # -- searching -------------------------------------------------------------

    def member(self) -> Member:
        loaded = self.results.loaded
        assert loaded is not None
        member = db.session.get(Member, loaded.member_id)
        assert member is not None
        return member

    def search_in_process(self, fts: Fts5) -> None:
        app, repeat = self.app, self.args.repeat
        engine = indexer.engine_for(app)
        root = engine.root
        with app.app_context():
            access, _ = service.reader_access(self.member())
        for query in corpus.queries():
            filters = Filters(topics=(query.topic,)) if query.topic else None
            parsed: ParsedQuery = parse(query.text, filters)
            rows = self.results.search.setdefault(query.name, {})
            hits = self.results.hits.setdefault(query.name, {})

            def engine_alone(parsed: ParsedQuery = parsed) -> Any:
                return engine.search(parsed, access, page=1, per_page=10, by_date=False)

            def via_service(query: corpus.Query = query, filters: Any = filters) -> int:
                with app.app_context():
                    return service.search(self.member(), query.text, filters).total

            rows[ENGINE] = measure(engine_alone, repeat)
            rows[ENGINE_HL] = measure(lambda f=engine_alone: highlighted(f(), self.texts), repeat)
            rows[SERVICE] = measure(via_service, repeat)
            rows[NEW_SEARCHER] = measure(
                lambda p=parsed: new_searcher_search(root, p, access, self.texts), repeat
            )
            rows[FTS] = measure(lambda q=query: fts.search(q.text, q.topic), repeat)
            hits["whoosh"] = engine_alone().total
            hits["fts5"] = fts.search(query.text, query.topic)[0]
            say(f"searched in process: {query.name} ({hits['whoosh']} hits)")

    def over_http(self) -> None:
        loaded = self.results.loaded
        assert loaded is not None
        log = self.folder / "server.log"
        with server.running_server(self.instance, self.database_url, self.args.workers, log) as (
            port,
            label,
        ):
            self.results.server_label = label
            client = server.Client(port)
            client.log_in(loaded.member_email, loaded.password)
            with self.profiled("http"):
                for query in corpus.queries():
                    path = server.search_path(query.text, query.topic)

                    def get(path: str = path) -> None:
                        status, page = client.get(path)
                        if status != 200 or "<mark>" not in page:
                            raise RuntimeError(f"{path} answered {status} without highlights")

                    # Enough that every worker has answered the query before.
                    warm = 10 * self.args.workers
                    self.results.search[query.name][HTTP] = measure(get, self.args.repeat, warm)
                    say(f"searched over HTTP: {query.name}")
            self.app.config["SEARCH_APPLY_ON_COMMIT"] = True
            # This process's first changes open the index for writing and
            # build what ``disclose`` needs for each series and audience, once
            # per process: timed apart, as its cold start (the searches above
            # were warmed the same way), one change in each series.
            self.results.updates["c2s_http_cold"] = Sample(
                [self.change_seen_over_http(client, i) for i in self.item_per_series()]
            )
            self.results.updates["c2s_http"] = Sample(
                [self.change_seen_over_http(client) for _ in range(self.args.changes)]
            )
            self.app.config["SEARCH_APPLY_ON_COMMIT"] = False

    # -- one change ------------------------------------------------------------

    def marker(self) -> str:
        """A new word, found nowhere else in the corpus."""
        self.words += 1
        return "xbench" + "".join(chr(97 + int(d)) for d in f"{self.words:05d}")

    def some_item(self) -> int:
        loaded = self.results.loaded
        assert loaded is not None
        return self.rng.choice(loaded.open_item_ids)

    def save(self, item_id: int, word: str) -> None:
        """A facilitator's save, through the notes service and the ORM."""
        with self.app.app_context():
            item = db.session.get(Item, item_id)
            assert item is not None
            fields = ItemFields(
                kind=item.kind,
                body=f"{item.body} {word}",
                section=item.section,
                speaker_id=item.speaker_id,
                confidentiality=item.confidentiality,
            )
            update_item(item, fields, actor=None)
            db.session.commit()

    def found(self, word: str) -> bool:
        with self.app.app_context():
            return bool(service.search(self.member(), word).hits)

    def updates_in_process(self) -> None:
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = True
        commit, first, total = [], [], []
        for _ in range(self.args.changes):
            word, item_id = self.marker(), self.some_item()
            began = time.perf_counter()
            self.save(item_id, word)
            committed = time.perf_counter()
            tries = 0
            while not self.found(word):
                tries += 1
                if tries > 500:
                    raise RuntimeError(f"{word} never became searchable")
            done = time.perf_counter()
            commit.append((committed - began) * 1000)
            first.append((done - committed) * 1000)
            total.append((done - began) * 1000)
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = False
        self.results.updates.update(
            commit_apply=Sample(commit), first_search=Sample(first), c2s=Sample(total)
        )
        say("measured commit-to-searchable in process")

    def item_per_series(self) -> list[int]:
        """The first open item of each series, with no redacted span (as
        ``some_item`` chooses among)."""
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(Meeting.series_id, sa.func.min(Item.id))
                .join(Meeting, Item.meeting_id == Meeting.id)
                .where(Item.confidentiality == Confidentiality.OPEN, ~Item.body.contains("{."))
                .group_by(Meeting.series_id)
                .order_by(Meeting.series_id)
            ).all()
        return [item_id for _series, item_id in rows]

    def change_seen_over_http(self, client: server.Client, item_id: int | None = None) -> float:
        word = self.marker()
        item_id = self.some_item() if item_id is None else item_id
        began = time.perf_counter()
        self.save(item_id, word)
        deadline = began + 30
        while time.perf_counter() < deadline:
            _, page = client.get(server.search_path(word, None))
            if f"<mark>{word}</mark>" in page:
                return (time.perf_counter() - began) * 1000
        raise RuntimeError(f"{word} never showed up over HTTP")

    def updates_with_worker(self) -> None:
        """SEARCH_APPLY_ON_COMMIT off: what a save costs with the outbox
        hooks and without them, and what the worker's apply costs."""
        self.app.config["SEARCH_APPLY_ON_COMMIT"] = False
        hooked, bare, applying = [], [], []
        unindexed: list[int] = []
        for _ in range(self.args.changes + 10):
            item_id = self.some_item()
            began = time.perf_counter()
            self.save(item_id, self.marker())
            hooked.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            indexer.apply(self.app)
            applying.append((time.perf_counter() - began) * 1000)
            item_id = self.some_item()
            with outbox_hooks_removed() as removed:
                began = time.perf_counter()
                self.save(item_id, self.marker())
                if removed:
                    bare.append((time.perf_counter() - began) * 1000)
                    unindexed.append(item_id)
        # What was saved without hooks goes through the outbox after all.
        if unindexed:
            with self.app.app_context(), db.engine.begin() as connection:
                rows = [
                    {"target": "item", "target_id": i, "created_at": utcnow()} for i in unindexed
                ]
                connection.execute(sa.insert(IndexOutbox), rows)
            indexer.apply(self.app)
        self.results.updates.update(save_hooks=Sample(hooked), apply=Sample(applying))
        if bare:
            self.results.updates["save_bare"] = Sample(bare)
        say("measured saves with a worker draining the outbox")


@contextlib.contextmanager
def outbox_hooks_removed() -> Iterator[bool]:
    """The session without the outbox hooks, to time a bare save; yields
    False (and removes nothing) when the hooks are not where expected."""
    hooks = [
        (name, getattr(outbox, attribute, None))
        for name, attribute in (
            ("before_flush", "_before_flush"),
            ("after_flush", "_after_flush"),
            ("after_commit", "_after_commit"),
        )
    ]
    present = [(n, f) for n, f in hooks if f is not None and sa.event.contains(Session, n, f)]
    for name, hook in present:
        sa.event.remove(Session, name, hook)
    try:
        yield bool(present)
    finally:
        for name, hook in present:
            sa.event.listen(Session, name, hook)


def _folder_bytes(path: Path | None) -> int:
    if path is None:
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def say(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


# -- the report ----------------------------------------------------------------


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:6.1f}×" if reference > 0 else "    — "


def report(results: Results, args: argparse.Namespace, load: tuple[float, float]) -> str:
    loaded = results.loaded
    assert loaded is not None
    lines = [
        f"notesbase search benchmark: {loaded.items:,} items in {loaded.meetings:,} meetings, "
        f"{args.series} series, {args.people} people, seed {args.seed}",
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, load average {load[0]:.1f} before, "
        f"{load[1]:.1f} after; server: {results.server_label or 'not measured'}",
        "",
        f"{'indexing':58} {'wall s':>8} {'cpu s':>8} {'docs':>8} {'÷FTS5':>8}",
        f"{'load the corpus (Core bulk inserts)':58} {results.load_seconds:8.1f}",
    ]
    for rebuild in results.rebuilds:
        label = f"full rebuild, SEARCH_REBUILD_PROCESSES={rebuild.processes}"
        lines.append(
            f"{label:58} {rebuild.wall:8.1f} {rebuild.cpu:8.1f} {rebuild.documents:8,} "
            f"{_ratio(rebuild.wall, results.fts_build):>8}"
        )
    lines.append(
        f"{'SQLite FTS5 build from the same member texts':58} {results.fts_build:8.1f} "
        f"{'':8} {results.fts_documents:8,}"
    )
    lines.append(f"index size on disk: {results.index_bytes / 1e6:.1f} MB")
    lines += [
        "",
        "search latency, ms, as a member of every series (top 10; highlights where said)",
        f"{'query / path':44} {'p50':>7} {'p95':>7} {'p50÷FTS5':>9} {'p95÷FTS5':>9} "
        f"{'p50÷new':>8} {'p95÷new':>8}",
    ]
    for query in corpus.queries():
        rows = results.search.get(query.name, {})
        hits = results.hits.get(query.name, {})
        shown = query.text + (f"  topic={query.topic}" if query.topic else "")
        lines.append(
            f"{query.name}: {shown}  (hits: Whoosh {hits.get('whoosh', 0):,}, "
            f"FTS5 {hits.get('fts5', 0):,})"
        )
        fts, new = rows.get(FTS), rows.get(NEW_SEARCHER)
        for label in ROWS:
            sample = rows.get(label)
            if sample is None:
                continue
            lines.append(
                f"  {label:42} {sample.p50:7.1f} {sample.p95:7.1f} "
                f"{_ratio(sample.p50, fts.p50 if fts else 0):>9} "
                f"{_ratio(sample.p95, fts.p95 if fts else 0):>9} "
                f"{_ratio(sample.p50, new.p50 if new else 0):>8} "
                f"{_ratio(sample.p95, new.p95 if new else 0):>8}"
            )
    lines += ["", _updates_table(results), "", *summary(results)]
    return "\n".join(lines)


def _updates_table(results: Results) -> str:
    updates = results.updates
    labels = [
        ("commit_apply", "save + commit, embedded apply after commit"),
        ("first_search", "then the first search finding the new word"),
        ("c2s", "commit-to-searchable, in process"),
        ("c2s_http", "commit-to-searchable, seen by the server (HTTP)"),
        ("c2s_http_cold", "  before those: each series' first, in a fresh process"),
        ("save_hooks", "save + commit, outbox row only (worker mode)"),
        ("save_bare", "save + commit without the outbox hooks"),
        ("apply", "worker: indexer.apply of one change"),
    ]
    lines = [f"{'one change, ms':58} {'p50':>7} {'p95':>7} {'max':>7} {'n':>4}"]
    for key, label in labels:
        sample = updates.get(key)
        if sample is not None:
            lines.append(
                f"{label:58} {sample.p50:7.1f} {sample.p95:7.1f} {sample.max:7.1f} "
                f"{len(sample.values):4}"
            )
    if "save_hooks" in updates and "save_bare" in updates:
        extra = updates["save_hooks"].p50 - updates["save_bare"].p50
        lines.append(f"{'  the outbox adds to a save (p50)':58} {extra:7.1f}")
    return "\n".join(lines)


def summary(results: Results) -> list[str]:
    """The figures beside the issue's targets (10,000-item targets up to
    30,000 items, else the 100,000-item ones)."""
    loaded = results.loaded
    assert loaded is not None
    large = loaded.items > 30_000
    lines = ["targets (search issue), at " + ("100,000" if large else "10,000") + " items:"]

    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'met ' if ok else 'MISS'}] {text}")

    http = {name: rows[HTTP] for name, rows in results.search.items() if HTTP in rows}
    if http:
        worst95 = max(s.p95 for s in http.values())
        worst50 = max(s.p50 for s in http.values())
        if large:
            check(worst50 <= 40, f"HTTP p50 ≤ 40 ms for every query kind: worst {worst50:.1f}")
            check(worst95 <= 120, f"HTTP p95 ≤ 120 ms for every query kind: worst {worst95:.1f}")
            speedups = {
                name: results.search[name][NEW_SEARCHER].p50 / sample.p50
                for name, sample in http.items()
            }
            worst = min(speedups.values())
            check(worst >= 4, f"HTTP p50 ≥ 4× faster than a new searcher per query: {worst:.1f}×")
        else:
            check(worst95 <= 25, f"HTTP p95 ≤ 25 ms for every query kind: worst {worst95:.1f}")
    else:
        lines.append("  [----] HTTP not measured")
    limit = 120 if large else 10
    for rebuild in results.rebuilds:
        check(
            rebuild.wall <= limit,
            f"full rebuild ≤ {limit} s ({rebuild.processes} process(es)): {rebuild.wall:.1f} s",
        )
    updates = results.updates
    if "save_hooks" in updates and "save_bare" in updates:
        extra = updates["save_hooks"].p50 - updates["save_bare"].p50
        check(extra <= 5, f"a save costs ≤ 5 ms more with the outbox (worker mode): {extra:.1f}")
    limit = 250 if large else 50
    for key, label in (("c2s", "in process"), ("c2s_http", "over HTTP")):
        if key in updates:
            p95 = updates[key].p95
            check(p95 <= limit, f"commit-to-searchable p95 ≤ {limit} ms ({label}): {p95:.1f}")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--per-meeting", type=int, default=40)
    parser.add_argument("--series", type=int, default=3)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--procs",
        type=lambda text: [int(p) for p in text.split(",") if p],
        default=[2, 1],
        help="writer processes for each full rebuild, in order (the last one is searched)",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each query")
    parser.add_argument("--changes", type=int, default=20, help="changes timed for each figure")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-http", dest="http", action="store_false")
    parser.add_argument("--profile", choices=["rebuild", "search", "http", "update"])
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nb-bench-")))
        results = Bench(args, folder).run()
    print(report(results, args, (before, os.getloadavg()[0])))
    for profile in results.profiles:
        print("\n" + profile)


if __name__ == "__main__":
    main()
