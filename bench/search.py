"""Benchmark search on a synthetic corpus, beside its references.

    .venv/bin/python -m bench.search [--items 10000] [--per-meeting 40] [--procs 2,1]
                                     [--varied 300] [--mix 50] [--cold-runs 3]
                                     [--per-client 150] [--clients 1,2,4]
                                     [--repeat 30] [--changes 20] [--workers 2]
                                     [--no-http] [--json PATH] [--keep DIR]
                                     [--profile rebuild|search|http|update]

In one run, on one corpus (``bench.corpus``), in a throw-away instance
folder (SQLite, or an empty database named by NOTESBASE_BENCH_DATABASE_URL):

1. loading the corpus, and full rebuilds of the index with one writer and
   with several (``SEARCH_REBUILD_PROCESSES``), beside building SQLite FTS5
   from the same disclosed member texts and a Whoosh index with Whoosh's
   stock writer from every document (``bench.stock_whoosh``);
2. search latency as a logged-in member of every series. The headline
   figures come from varied queries (``bench.queries``): for each of eleven
   kinds of query, ``--varied`` different queries, each asked once, in one
   interleaved order, over HTTP of a warm server (gunicorn if installed,
   else ``notesbase run``), with p50, p95, p99 and max by kind and over all.
   Beside them, for continuity, one query of each kind asked ``--repeat``
   times over HTTP, through ``service.search``, through ``Engine.search``
   with and without highlights, and the references: Whoosh with a new
   searcher per query, the stock Whoosh index (top ten with its estimate,
   and exact counts), and FTS5. And a mix of other new queries in process,
   counting the hits whose bodies ``disclose`` rendered cold;
3. throughput with 1, 2 and 4 clients at once, each asking new queries
   (``bench.throughput``); the memory of each server worker after start-up,
   after the varied queries and after the throughput runs, and cold
   starts: fresh servers' first answers (``bench.live``);
4. one change: commit-to-searchable (``bench.changes``).

Every figure is printed with its ratio to both references where it has
them, then a summary against the targets of the search issue; ``--json``
writes every figure to a file that ``bench.compare`` sets beside another
run's. Run it on an otherwise idle machine: the load average is printed
beside the figures."""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask

from bench import corpus, live, queries, report, say, search_options, server, throughput, timing
from bench.changes import Changes
from bench.corpus import Query
from bench.figures import Sample
from bench.references import Fts5, Texts, highlighted, new_searcher_search
from bench.renders import counting_renders
from bench.results import (
    AFTER_START,
    AFTER_THROUGHPUT,
    AFTER_VARIED,
    ENGINE,
    ENGINE_HL,
    FTS,
    HTTP,
    NEW_SEARCHER,
    SERVICE,
    STOCK_EXACT,
    STOCK_TOP,
    Rebuild,
    Results,
)
from bench.stock_whoosh import StockWhoosh
from notesbase import create_app
from notesbase.db import db
from notesbase.models import Member
from notesbase.search import background, indexer, service
from notesbase.search.documents import Builder
from notesbase.search.query import Filters, ParsedQuery, parse
from notesbase.search.request import SearchRequest

__all__ = ["Bench", "Sample", "main"]

SECRET = "bench-secret-key"  # noqa: S105 - a throw-away instance


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
        self.spec = corpus.Spec(
            items=args.items,
            items_per_meeting=args.per_meeting,
            series=args.series,
            people=args.people,
            seed=args.seed,
        )
        self.results = Results()
        self.texts = Texts()

    def profiled(self, phase: str) -> contextlib.AbstractContextManager[None]:
        return timing.profiled(phase, self.args.profile, self.results.profiles)

    def run(self) -> Results:
        varied, mix, cold, busy = self.varied_queries()
        began = time.perf_counter()
        loaded = self.results.loaded = corpus.load_into(self.app, self.spec)
        self.results.load_seconds = time.perf_counter() - began
        say(f"loaded {loaded.items} items in {self.results.load_seconds:.1f} s")
        with self.profiled("rebuild"):
            for processes in self.args.procs:
                self.rebuild(processes)
        self.gather_texts()
        self.results.index_bytes = timing.folder_bytes(indexer.engine_for(self.app).current_path())
        fts = self.build_fts()
        # Whoosh's stock index is only searched by the repeated rows.
        stock = self.build_stock() if self.args.repeat else None
        changes = Changes(self.app, loaded, self.args.changes, self.args.seed)
        # The benchmark holds every text it indexed (for FTS5 and highlights);
        # left to the garbage collector, walking them would be timed as search.
        # A server freezes what it holds after start-up the same way.
        gc.collect()
        gc.freeze()
        try:
            with self.profiled("search"):
                if stock is not None:
                    self.search_in_process(fts, stock)
                self.mix_in_process(mix)
            if self.args.http:
                asked = [self.fit_pages(part) for part in (varied, cold, busy)]
                self.over_http(*asked, changes)
            with self.profiled("update"):
                changes.in_process()
                changes.with_worker()
        finally:
            fts.close()
            if stock is not None:
                stock.close()
            # A merge the saves above started may still be writing into the
            # instance folder, which is removed next.
            background.wait_for_merges(timeout=120)
            with self.app.app_context():
                db.engine.dispose()
        self.results.updates = changes.updates
        return self.results

    # -- indexing --------------------------------------------------------------

    def rebuild(self, processes: int) -> None:
        self.app.config["SEARCH_REBUILD_PROCESSES"] = processes
        cpu = timing.cpu_seconds()
        began = time.perf_counter()
        count = indexer.rebuild(self.app)
        wall = time.perf_counter() - began
        self.results.rebuilds.append(Rebuild(processes, wall, timing.cpu_seconds() - cpu, count))
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

    def build_stock(self) -> StockWhoosh:
        stock = StockWhoosh(self.folder / "stock-whoosh")
        began = time.perf_counter()
        self.results.stock_documents = stock.build(self.texts.documents)
        self.results.stock_build = time.perf_counter() - began
        say(f"built the stock Whoosh index in {self.results.stock_build:.1f} s")
        return stock

    # -- the queries -------------------------------------------------------------

    def varied_queries(self) -> tuple[list[Query], list[Query], list[Query], list[Query]]:
        """Queries never asked before, in four sets that share none: the
        ones asked over HTTP, the mix asked in process, the first searches
        of fresh servers (one more than there are workers per run), and the
        throughput runs'."""
        args = self.args
        per_run = args.workers + 1 if args.http else 0
        kinds = len(queries.KINDS)
        spare = math.ceil(args.cold_runs * per_run / kinds)
        wanted = throughput.needed(args.clients, args.per_client) if args.http else 0
        sizes = (args.varied, args.mix, spare, math.ceil(wanted / kinds))
        varied, mix, cold, busy = queries.portions(self.spec, sizes, args.seed)
        return varied, mix, cold, busy[:wanted]

    def member(self) -> Member:
        loaded = self.results.loaded
        assert loaded is not None
        member = db.session.get(Member, loaded.member_id)
        assert member is not None
        return member

    def fit_pages(self, asked: list[Query]) -> list[Query]:
        """Each query with its page no further than its results run (a page
        beyond them is answered with a message and a 400, not a search),
        noting the hits the engine finds for the member. Not timed, and in
        this process: the server's caches stay cold."""
        engine = indexer.engine_for(self.app)
        fitted = []
        with self.app.app_context():
            access, _ = service.reader_access(self.member())
            for query in asked:
                parsed = parse(query.text, queries.filters_of(query))
                filters = service.resolve_filters(parsed.filters, access)
                parsed = ParsedQuery(parsed.required, parsed.excluded, filters)
                asking = SearchRequest(parsed, access, per_page=10, by_date=query.by_date)
                total = engine.search(asking).total
                pages = max(1, min(service.MAX_PAGE, math.ceil(total / service.PER_PAGE)))
                query = replace(query, page=min(query.page, pages))
                self.results.totals[query] = total
                fitted.append(query)
        return fitted

    # -- searching in process --------------------------------------------------

    def search_in_process(self, fts: Fts5, stock: StockWhoosh) -> None:
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
                return engine.search(SearchRequest(parsed, access, page=1, per_page=10))

            def via_service(query: corpus.Query = query, filters: Any = filters) -> int:
                with app.app_context():
                    return service.search(self.member(), query.text, filters).total

            rows[ENGINE] = timing.measure(engine_alone, repeat)
            rows[ENGINE_HL] = timing.measure(
                lambda f=engine_alone: highlighted(f(), self.texts), repeat
            )
            rows[SERVICE] = timing.measure(via_service, repeat)
            rows[NEW_SEARCHER] = timing.measure(
                lambda p=parsed: new_searcher_search(root, p, access, self.texts), repeat
            )
            rows[STOCK_TOP] = timing.measure(lambda p=parsed: stock.top_ten(p, access), repeat)
            rows[STOCK_EXACT] = timing.measure(lambda p=parsed: stock.exact(p, access), repeat)
            rows[FTS] = timing.measure(lambda q=query: fts.search(q.text, q.topic), repeat)
            hits["whoosh"] = engine_alone().total
            hits["fts5"] = fts.search(query.text, query.topic)[0]
            hits["stock"] = stock.exact(parsed, access)[0]
            say(f"searched in process: {query.name} ({hits['whoosh']} hits)")

    def mix_in_process(self, mix: list[Query]) -> None:
        """New queries of every kind through ``service.search`` (first
        pages), counting the bodies ``disclose`` had to render."""
        if not mix:
            return
        values = []
        with counting_renders() as renders:
            for query in mix:
                began = time.perf_counter()
                with self.app.app_context():
                    service.search(self.member(), query.text, queries.filters_of(query))
                values.append((time.perf_counter() - began) * 1000)
        self.results.mix, self.results.renders = Sample(values), renders
        say(f"searched in process: a mix of {len(mix)} new queries")

    # -- over HTTP -------------------------------------------------------------

    def server(self) -> contextlib.AbstractContextManager[server.Running]:
        log = self.folder / "server.log"
        return server.running_server(self.instance, self.database_url, self.args.workers, log)

    def fresh_server(self) -> contextlib.AbstractContextManager[server.Running]:
        log = self.folder / "server.log"
        return server.started_server(self.instance, self.database_url, self.args.workers, log)

    def over_http(
        self, varied: list[Query], cold: list[Query], busy: list[Query], changes: Changes
    ) -> None:
        loaded = self.results.loaded
        assert loaded is not None
        memory = self.results.memory
        with self.server() as running:
            self.results.server_label = running.label
            if started := live.memory_of(running):
                memory[AFTER_START] = started
            client = server.Client(running.port)
            client.log_in(loaded.member_email, loaded.password)
            with self.profiled("http"):
                if self.args.repeat:
                    self.repeated_over_http(client, running.workers)
                if varied:
                    self.results.asked = varied
                    self.results.varied = live.time_queries(client, varied, self.results.totals)
                    say(f"searched over HTTP: {len(varied)} varied queries, each once")
                    if after := live.memory_of(running):
                        memory[AFTER_VARIED] = after
                if busy:
                    self.results.throughput = throughput.measure(
                        running.port, client.cookies, busy, self.args.clients, self.args.per_client
                    )
                    say(f"throughput: {len(busy)} more queries, {self.args.clients} clients")
                    if after := live.memory_of(running):
                        memory[AFTER_THROUGHPUT] = after
            changes.seen_over_http(client)
        per_run = running.workers + 1
        for run in range(self.args.cold_runs):
            texts = cold[run * per_run : (run + 1) * per_run]
            self.results.cold.append(live.cold_run(self.fresh_server, client.cookies, texts))
            say(f"cold start {run + 1} of {self.args.cold_runs}")

    def repeated_over_http(self, client: server.Client, workers: int) -> None:
        """One query of each kind, asked again and again (the figures of
        earlier runs, kept to compare with)."""
        for query in corpus.queries():
            path = server.search_path(query.text, query.topic)
            found = self.results.hits[query.name]["whoosh"] > 0

            def get(path: str = path, found: bool = found) -> None:
                status, page = client.get(path)
                if status != 200 or (found and "<mark>" not in page):
                    raise RuntimeError(f"{path} answered {status} without highlights")

            # Enough that every worker has answered the query before.
            warm = 10 * workers
            self.results.search[query.name][HTTP] = timing.measure(get, self.args.repeat, warm)
            say(f"searched over HTTP: {query.name}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options (``bench.search_options``), with this module's summary as help."""
    return search_options.parse(argv, (__doc__ or "").splitlines()[0])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nb-bench-")))
        try:
            results = Bench(args, folder).run()
        except queries.Exhausted as error:
            raise SystemExit(f"bench.search: {error}; ask for fewer (--varied, --mix)") from None
    load = (before, os.getloadavg()[0])
    print(report.text(results, args, load))
    for profile in results.profiles:
        print("\n" + profile)
    if args.json is not None:
        report.figures(results, args).write(args.json, report.settings(args, results, load))
        print(f"\nfigures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
