"""The search benchmark runs end to end at a tiny size, as `make bench`
runs it, and writes every figure it prints to JSON; options it cannot use
are refused before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import corpus, search
from tests.benchmark.bench_support import run

KINDS = [query.name for query in corpus.queries()]


def test_the_search_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """Varied queries over HTTP by kind and over all, memory of each of two
    workers after start-up and after the queries, a cold start with each
    worker's first search (both workers seen answering), the mix in process
    and the repeated rows; every figure in the JSON."""
    report, figures = run(
        tmp_path,
        *("-m", "bench.search", "--items", "120", "--per-meeting", "20", "--procs", "1"),
        *("--repeat", "1", "--varied", "4", "--mix", "2", "--cold-runs", "1", "--changes", "1"),
        *("--workers", "2"),
    )
    for kind in [*KINDS, "all kinds"]:
        for figure in ("p50", "p95", "p99", "max"):
            assert figures[f"HTTP varied / {kind} / {figure}"] > 0
    assert all(figures[f"HTTP varied / {kind} / n"] == 4 for kind in KINDS)
    assert figures["HTTP varied / all kinds / n"] == 24
    for moment in ("after start-up", "after the varied queries"):
        for worker in (1, 2):
            rss = figures[f"memory {moment} / worker {worker} / RSS MB"]
            assert 20 < rss < 4000
            assert 0 < figures[f"memory {moment} / worker {worker} / USS MB"] < rss
        assert f"memory {moment} / worker 3 / RSS MB" not in figures
    first = figures["cold start / to first search answered s / max"]
    assert 0 < figures["cold start / to accepting connections s / max"] < first
    assert figures["cold start / each worker's first search / n"] == 2
    assert "workers seen busy answering them" in report and "2 of 2" in report
    assert figures["in process, mix / service.search / n"] == 12
    assert 0 <= figures["in process, mix / bodies rendered cold"] <= 100
    assert figures["repeated / phrase / HTTP GET /search, warm server / n"] == 1
    assert "search latency over HTTP, ms, varied queries" in report
    assert "targets (search issue)" in report


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--varied", "-1"], "give at least 0, not -1"),
        (["--items", "ten"], "'ten' is not a whole number"),
        (["--procs", "2,x"], "give numbers such as 2,1"),
        (["--procs", "0"], "at least 1"),
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
