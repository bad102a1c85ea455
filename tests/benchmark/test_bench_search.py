"""The search benchmark runs end to end at a tiny size, as `make bench`
runs it, and writes every figure it prints to JSON; options it cannot use
are refused before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import queries, search
from tests.benchmark.bench_support import run

KINDS = queries.KINDS


def test_the_search_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """Varied queries over HTTP by kind and over all, throughput with 1, 2
    and 4 clients, memory of each of two workers after start-up, after the
    queries and after the throughput runs, a cold start with each worker's
    first search (both workers seen answering), the mix in process, the
    repeated rows with the stock Whoosh references, and the targets of
    both issues; every figure in the JSON."""
    report, figures = run(
        tmp_path,
        *("-m", "bench.search", "--items", "120", "--per-meeting", "20", "--procs", "1"),
        *("--repeat", "1", "--varied", "4", "--mix", "2", "--cold-runs", "1", "--changes", "1"),
        *("--workers", "2", "--per-client", "2"),
    )
    for kind in [*KINDS, "all kinds"]:
        for figure in ("p50", "p95", "p99", "max"):
            assert figures[f"HTTP varied / {kind} / {figure}"] > 0
    assert all(figures[f"HTTP varied / {kind} / n"] == 4 for kind in KINDS)
    assert figures["HTTP varied / all kinds / n"] == 4 * len(KINDS)
    for clients in (1, 2, 4):
        assert figures[f"throughput / {clients} client(s) / requests"] == 2 * clients
        assert figures[f"throughput / {clients} client(s) / n"] == 2 * clients
        assert figures[f"throughput / {clients} client(s) / req/s"] > 0
    for moment in ("after start-up", "after the varied queries", "after the throughput runs"):
        for worker in (1, 2):
            rss = figures[f"memory {moment} / worker {worker} / RSS MB"]
            assert 20 < rss < 4000
            assert 0 < figures[f"memory {moment} / worker {worker} / USS MB"] < rss
        assert f"memory {moment} / worker 3 / RSS MB" not in figures
    first = figures["cold start / to first search answered s / max"]
    assert 0 < figures["cold start / to accepting connections s / max"] < first
    assert figures["cold start / each worker's first search / n"] == 2
    assert "workers seen busy answering them" in report and "2 of 2" in report
    assert figures["in process, mix / service.search / n"] == 2 * len(KINDS)
    assert 0 <= figures["in process, mix / bodies rendered cold"] <= 100
    assert figures["repeated / phrase / HTTP GET /search, warm server / n"] == 1
    for row in ("top 10 + estimate", "exact counts"):
        assert figures[f"repeated / phrase / ref: Whoosh stock index, {row} / n"] == 1
    assert figures["Whoosh stock build / s"] > 0
    assert "search latency over HTTP, ms, varied queries" in report
    assert "throughput over HTTP" in report
    assert "targets (first search issue)" in report
    assert "targets (issue 25, search as people use it)" in report
    assert "worker PSS after the varied run ≤ 150 MB" in report


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--varied", "-1"], "give at least 0, not -1"),
        (["--items", "ten"], "'ten' is not a whole number"),
        (["--procs", "2,x"], "give numbers such as 2,1"),
        (["--procs", "0"], "at least 1"),
        (["--clients", "1,0"], "at least 1"),
        (["--per-client", "-2"], "give at least 0, not -2"),
        (["--json", "/nonexistent-folder/run.json"], "not a file in an existing folder"),
    ],
)
def test_search_options_it_cannot_use_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad option ends the run at once with status 2 and a message."""
    with pytest.raises(SystemExit) as ended:
        search.parse_args(argv)
    assert ended.value.code == 2
    assert message in capsys.readouterr().err
