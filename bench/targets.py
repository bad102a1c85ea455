"""The search benchmark's figures beside their targets: those of the first
search issue (``summary``), and those of issue 25, search as people really
use it (``people_use``). Each line says ``[met ]`` or ``[MISS]``, or
``[----]`` where the figure was not measured at this size."""

from __future__ import annotations

from collections.abc import Callable

from bench.figures import Sample
from bench.results import AFTER_VARIED, HTTP, NEW_SEARCHER, Results

LARGE = 30_000  # above this many items the 100,000-item targets apply
FEW = 300  # a p95 or p99 of fewer queries of a kind does not decide


def _large(results: Results) -> bool:
    loaded = results.loaded
    assert loaded is not None
    return loaded.items > LARGE


def _checker(lines: list[str]) -> Callable[[bool, str], None]:
    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'met ' if ok else 'MISS'}] {text}")

    return check


def summary(results: Results) -> list[str]:
    """The figures beside the issue's targets (10,000-item targets up to
    30,000 items, else the 100,000-item ones). Latency is judged on the
    varied queries when they were asked, else on the repeated ones."""
    large = _large(results)
    lines = ["targets (first search issue), at " + ("100,000" if large else "10,000") + " items:"]

    check = _checker(lines)
    http = _http_by_kind(results)
    which = "varied queries" if results.varied is not None else "one query asked again"
    if http:
        worst95 = max(s.p95 for s in http.values())
        worst50 = max(s.p50 for s in http.values())
        if large:
            check(worst50 <= 40, f"HTTP p50 ≤ 40 ms, every kind ({which}): worst {worst50:.1f}")
            check(worst95 <= 120, f"HTTP p95 ≤ 120 ms, every kind ({which}): worst {worst95:.1f}")
            speedups = {
                name: results.search[name][NEW_SEARCHER].p50 / sample.p50
                for name, sample in http.items()
                if NEW_SEARCHER in results.search.get(name, {})
            }
            if speedups:
                worst = min(speedups.values())
                check(
                    worst >= 4,
                    f"HTTP p50 ≥ 4× faster than a new searcher per query: {worst:.1f}×",
                )
        else:
            check(worst95 <= 25, f"HTTP p95 ≤ 25 ms, every kind ({which}): worst {worst95:.1f}")
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


def _http_by_kind(results: Results) -> dict[str, Sample]:
    if results.varied is not None:
        return dict(results.varied.by_kind)
    return {name: rows[HTTP] for name, rows in results.search.items() if HTTP in rows}


def people_use(results: Results) -> list[str]:
    """Issue 25's targets: every class of varied query (p95, p99), each
    worker's PSS after them, throughput with four clients (at 100,000 items
    only) and the full rebuild's wall time."""
    large = _large(results)
    size = "100,000" if large else "10,000"
    lines = [f"targets (issue 25, search as people use it), at {size} items:"]
    check = _checker(lines)
    by_kind = dict(results.varied.by_kind) if results.varied is not None else {}
    if by_kind:
        fewest = min(sample.count for sample in by_kind.values())
        note = "" if fewest >= FEW else f"; only {fewest} of a class, {FEW} decide"
        for name, limit in (("p95", 60 if large else 25), ("p99", 150 if large else 50)):
            kind, worst = _worst(by_kind, name)
            check(
                worst <= limit,
                f"search {name} ≤ {limit} ms, every class: worst {worst:.1f} ({kind}){note}",
            )
    else:
        lines.append("  [----] search p95 and p99 by class: varied queries not measured")
    limit = 350 if large else 150
    workers = results.memory.get(AFTER_VARIED, {})
    pss = [reading.pss for reading in workers.values() if reading.pss is not None]
    if pss:
        largest = max(pss) / 1024
        check(largest <= limit, f"worker PSS after the varied run ≤ {limit} MB: {largest:.1f}")
    else:
        lines.append(f"  [----] worker PSS after the varied run ≤ {limit} MB: not measured")
    four = [run for run in results.throughput if run.clients == 4]
    if four and large:
        rate = four[0].per_second
        check(rate >= 80, f"throughput, 4 clients ≥ 80 req/s: {rate:.1f}")
    else:
        shown = f"{four[0].per_second:.1f} req/s" if four else "not measured"
        lines.append(f"  [----] throughput, 4 clients (≥ 80 req/s at 100,000 items): {shown}")
    limit = 150 if large else 20
    for rebuild in results.rebuilds:
        check(
            rebuild.wall <= limit,
            f"full rebuild, wall ≤ {limit} s ({rebuild.processes} process(es)): "
            f"{rebuild.wall:.1f} s",
        )
    return lines


def _worst(by_kind: dict[str, Sample], percentile: str) -> tuple[str, float]:
    kind = max(by_kind, key=lambda name: getattr(by_kind[name], percentile))
    return kind, float(getattr(by_kind[kind], percentile))
