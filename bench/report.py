"""The search benchmark's report: tables to read, figures to compare
(``bench.figures``), and a summary against the targets (``bench.targets``)."""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
from typing import Any

from bench import corpus, options, queries, targets, throughput
from bench.figures import Figures, Sample
from bench.live import ColdRun
from bench.procfs import Memory
from bench.results import (
    FTS,
    NEW_SEARCHER,
    ROWS,
    Results,
)

UPDATES = [
    ("commit_apply", "save + commit, embedded apply after commit"),
    ("first_search", "then the first search finding the new word"),
    ("c2s", "commit-to-searchable, in process"),
    ("c2s_http", "commit-to-searchable, seen by the server (HTTP)"),
    ("c2s_http_cold", "  before those: each series' first, in a fresh process"),
    ("save_hooks", "save + commit, outbox row only (worker mode)"),
    ("save_bare", "save + commit without the outbox hooks"),
    ("apply", "worker: indexer.apply of one change"),
]
ALL_KINDS = "all kinds"
FEW = 300  # below this many values a p99 (or even a p95) says little


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:6.1f}×" if reference > 0 else "    — "


def _loaded(results: Results) -> corpus.Loaded:
    loaded = results.loaded
    assert loaded is not None
    return loaded


# -- the text ------------------------------------------------------------------


def text(results: Results, args: argparse.Namespace, load: tuple[float, float]) -> str:
    loaded = _loaded(results)
    lines = [
        f"notesbase search benchmark: {loaded.items:,} items in {loaded.meetings:,} meetings "
        f"({args.per_meeting} items each), {args.series} series, {args.people} people, "
        f"seed {args.seed}",
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, load average {load[0]:.1f} before, "
        f"{load[1]:.1f} after; server: {results.server_label or 'not measured'}",
        "",
        *_indexing(results),
        "",
        *_varied(results),
        *_repeated(results),
        "",
        *_mix(results),
        *throughput.lines(results.throughput),
        *_memory(results),
        *_cold(results, args),
        _updates_table(results),
        "",
        *targets.summary(results),
        "",
        *targets.people_use(results),
    ]
    return "\n".join(lines)


def _indexing(results: Results) -> list[str]:
    lines = [
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
    if results.stock_documents:  # built for the repeated rows only
        lines.append(
            f"{'Whoosh stock writer, every document (one process)':58} "
            f"{results.stock_build:8.1f} {'':8} {results.stock_documents:8,}"
        )
    lines.append(f"index size on disk: {results.index_bytes / 1e6:.1f} MB")
    return lines


def _hits_by_kind(results: Results) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for query in results.asked:
        found.setdefault(query.name, []).append(results.totals.get(query, 0))
    return found


def _varied(results: Results) -> list[str]:
    answers = results.varied
    if answers is None or answers.total is None:
        return ["search latency over HTTP, varied queries: not measured", ""]
    hits = _hits_by_kind(results)
    paged = sum(q.page > 1 for q in results.asked)
    filtered = sum(bool(q.topic or q.meetings or q.dates) for q in results.asked)
    deep = [q.page for q in results.asked if q.name == "deep page"]
    lines = [
        "search latency over HTTP, ms, varied queries: each asked once, all kinds interleaved,",
        f"as a member of every series ({paged} of them for a page past the first, {filtered}",
        "with a topic or a range of meetings or dates); hits: what the engine found, median",
        "of the kind's queries",
        f"{'kind':16} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'hits':>8} {'no hits':>8}",
    ]
    for name, sample in _in_order(answers.by_kind).items():
        found = hits.get(name, [0])
        lines.append(
            f"{name:16} {_row(sample)} {statistics.median(found):8,.0f} "
            f"{sum(n == 0 for n in found):8}"
        )
    lines.append(f"{ALL_KINDS:16} {_row(answers.total)}")
    lines.append(
        f"answers showing a highlighted hit: {answers.highlighted} of {answers.total.count} "
        f"(the engine found hits for {answers.expected})"
    )
    if deep:
        lines.append(
            f"deep pages: {sum(p >= queries.DEEP_PAGES[0] for p in deep)} of {len(deep)} still "
            f"page {queries.DEEP_PAGES[0]} or later once fitted to their hits"
        )
    if answers.total.count < FEW * len(answers.by_kind):
        lines.append(f"  (fewer than {FEW} queries of each kind: the p95 and p99 say little)")
    return [*lines, ""]


def _in_order(by_kind: dict[str, Sample]) -> dict[str, Sample]:
    """By kind, in the order of ``queries.KINDS``."""
    return {name: by_kind[name] for name in queries.KINDS if name in by_kind}


def _row(sample: Sample) -> str:
    return (
        f"{sample.count:5} {sample.p50:7.1f} {sample.p95:7.1f} {sample.p99:7.1f} {sample.max:7.1f}"
    )


def _repeated(results: Results) -> list[str]:
    if not results.search:
        return ["search latency, one query of each kind asked again and again: not measured"]
    lines = [
        "search latency, ms, one query of each kind asked again and again (what the caches",
        "make of it; earlier runs' figures), as a member (top 10; highlights where said)",
        f"{'query / path':44} {'p50':>7} {'p95':>7} {'p50÷FTS5':>9} {'p95÷FTS5':>9} "
        f"{'p50÷new':>8} {'p95÷new':>8}",
    ]
    for query in corpus.queries():
        rows = results.search.get(query.name, {})
        hits = results.hits.get(query.name, {})
        shown = query.text + (f"  topic={query.topic}" if query.topic else "")
        lines.append(
            f"{query.name}: {shown}  (hits: notesbase {hits.get('whoosh', 0):,}, "
            f"stock Whoosh {hits.get('stock', 0):,}, FTS5 {hits.get('fts5', 0):,})"
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
    return lines


def _mix(results: Results) -> list[str]:
    if results.mix is None:
        return []
    lines = [
        "in process, service.search, a mix of other new queries (first pages), ms",
        f"{'':16} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}",
        f"{'all kinds':16} {_row(results.mix)}",
    ]
    renders = results.renders
    if renders is None:
        lines.append("item bodies disclose rendered cold: not measured (disclose has changed)")
    else:
        share = 100 * renders.cold / renders.asked if renders.asked else 0.0
        lines.append(
            f"item bodies disclose was asked for: {renders.asked:,}; rendered cold: "
            f"{renders.cold:,} ({share:.0f}%), the rest from the bodies it keeps"
        )
    return [*lines, ""]


def _memory(results: Results) -> list[str]:
    if not results.memory:
        return ["memory per worker: not measured (no /proc)", ""] if results.server_label else []
    lines = [
        "memory per server worker, MB (RSS resident; PSS with shared pages split among",
        "the processes sharing them; USS its own pages only)",
        f"{'moment':28} {'worker':>8} {'RSS':>8} {'PSS':>8} {'USS':>8}",
    ]
    for moment, workers in results.memory.items():
        for pid, reading in workers.items():
            lines.append(
                f"{moment:28} {pid:8} {_mb(reading.rss)} {_mb(reading.pss)} {_mb(reading.uss)}"
            )
        if workers:
            largest = max(r.rss for r in workers.values())
            lines.append(f"{'  the largest RSS':28} {'':8} {_mb(largest)}")
    return [*lines, ""]


def _mb(kilobytes: int | None) -> str:
    return f"{kilobytes / 1024:8.1f}" if kilobytes is not None else f"{'—':>8}"


def _cold(results: Results, args: argparse.Namespace) -> list[str]:
    runs = results.cold
    if not runs:
        return []
    heads = "".join(f"{'run ' + str(n):>9}" for n in range(1, len(runs) + 1))
    lines = [
        f"cold starts: fresh servers, {args.workers} worker(s) asked for",
        f"{'':52}{heads}",
        _cold_line("start → accepting connections, s", [r.listening for r in runs]),
        _cold_line("start → first search answered, s", [r.first_answer for r in runs]),
        _cold_line("  that search, from sending it, ms", [r.first_answer_ms for r in runs], 0),
        _cold_line("start → every worker started, s", [r.ready for r in runs]),
    ]
    most = max(len(r.first_searches) for r in runs)
    for position in range(most):
        values = [
            r.first_searches[position] if position < len(r.first_searches) else None for r in runs
        ]
        label = "each worker's first search, all at once, ms" if position == 0 else ""
        lines.append(_cold_line(label, values, 0))
    answered = "".join(f"{f'{r.answered_by} of {len(r.first_searches)}':>9}" for r in runs)
    lines.append(f"{'  workers seen busy answering them':52}{answered}")
    return [*lines, ""]


def _cold_line(label: str, values: list[float | None], digits: int = 1) -> str:
    shown = "".join(f"{v:9.{digits}f}" if v is not None else f"{'—':>9}" for v in values)
    return f"{label:52}{shown}"


def _updates_table(results: Results) -> str:
    updates = results.updates
    lines = [f"{'one change, ms':58} {'p50':>7} {'p95':>7} {'max':>7} {'n':>4}"]
    for key, label in UPDATES:
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


# -- the figures -----------------------------------------------------------------


def figures(results: Results, args: argparse.Namespace) -> Figures:
    """Every figure of the run under a name that stays the same from run to run."""
    found = Figures("search")
    found.add("load / s", results.load_seconds, "s")
    for rebuild in results.rebuilds:
        name = f"rebuild, {rebuild.processes} process(es)"
        found.add(f"{name} / wall s", rebuild.wall, "s")
        found.add(f"{name} / cpu s", rebuild.cpu, "s")
    found.add("FTS5 build / s", results.fts_build, "s")
    if results.stock_documents:
        found.add("Whoosh stock build / s", results.stock_build, "s")
    found.add("index size / MB", results.index_bytes / 1e6, "MB")
    if results.varied is not None and results.varied.total is not None:
        for name, sample in _in_order(results.varied.by_kind).items():
            found.add_sample(f"HTTP varied / {name}", sample)
        found.add_sample(f"HTTP varied / {ALL_KINDS}", results.varied.total)
        for name, totals in _hits_by_kind(results).items():
            found.add(f"HTTP varied / {name} / median hits", statistics.median(totals), "count")
    for name, rows in results.search.items():
        for label, sample in rows.items():
            found.add_sample(f"repeated / {name} / {label}", sample)
    if results.mix is not None:
        found.add_sample("in process, mix / service.search", results.mix)
    throughput.add_figures(found, results.throughput)
    if results.renders is not None and results.renders.asked:
        share = 100 * results.renders.cold / results.renders.asked
        found.add("in process, mix / bodies rendered cold", share, "%")
    _memory_figures(found, results.memory)
    _cold_figures(found, results.cold)
    for key, label in UPDATES:
        if key in results.updates:
            found.add_sample(f"change / {label.strip()}", results.updates[key])
    return found


def _memory_figures(found: Figures, memory: dict[str, dict[int, Memory]]) -> None:
    for moment, workers in memory.items():
        for number, reading in enumerate(workers.values(), start=1):
            for kind in ("rss", "pss", "uss"):
                value = getattr(reading, kind)
                if value is not None:
                    found.add(
                        f"memory {moment} / worker {number} / {kind.upper()} MB", value / 1024, "MB"
                    )
        for kind in ("rss", "pss", "uss"):
            values = [getattr(r, kind) for r in workers.values() if getattr(r, kind) is not None]
            if values:
                found.add(f"memory {moment} / largest {kind.upper()} MB", max(values) / 1024, "MB")


def _cold_figures(found: Figures, runs: list[ColdRun]) -> None:
    if not runs:
        return
    series = {
        "cold start / to accepting connections s": [r.listening for r in runs],
        "cold start / to first search answered s": [r.first_answer for r in runs],
        "cold start / to every worker started s": [r.ready for r in runs if r.ready is not None],
    }
    for name, values in series.items():
        if values:
            found.add(f"{name} / median", statistics.median(values), "s")
            found.add(f"{name} / max", max(values), "s")
    firsts = [v for r in runs for v in r.first_searches]
    if firsts:
        found.add_sample("cold start / each worker's first search", Sample(firsts))


def settings(
    args: argparse.Namespace, results: Results, load: tuple[float, float]
) -> dict[str, Any]:
    """What was run, for the JSON file."""
    loaded = _loaded(results)
    return {
        **options.settings(args),
        "items_loaded": loaded.items,
        "meetings": loaded.meetings,
        "server": results.server_label,
        "load_average": list(load),
    }
