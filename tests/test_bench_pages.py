"""The page benchmark: every page of a kind visited once before any comes
again, all kinds interleaved; it runs end to end at a tiny size, as `make
bench-pages` runs it, writing every figure to JSON; options it cannot use
are refused before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import corpus
from benchmarks import pages
from tests.bench_support import run, run_logged


def test_pages_are_each_visited_before_any_comes_again() -> None:
    """The page benchmark asks for every meeting (and every meeting's notes)
    once before any again, as each reader, all kinds interleaved."""
    spec = corpus.Spec(items=2 * 4 * 5, items_per_meeting=5, series=2, people=10)
    planned = pages.requests(spec, 12, seed=3)
    by_kind: dict[tuple[str, str], list[str]] = {}
    for kind, reader, url in planned:
        by_kind.setdefault((kind, reader), []).append(url)
    assert set(by_kind) == {
        (kind.name, reader) for kind in pages.kinds(spec) for reader in kind.readers
    }
    assert ("notes", "public") not in by_kind
    for urls in by_kind.values():
        assert len(urls) == 12
    meetings = by_kind[("meeting", "public")]
    assert len(set(meetings[:8])) == 8 and set(meetings[8:]) < set(meetings[:8])
    assert len(set(by_kind[("notes", "member")][:8])) == 8
    assert sorted(by_kind[("series", "member")][:2]) == ["/series/series-1", "/series/series-2"]
    assert [k for k, _, _ in planned[:20]] != sorted(k for k, _, _ in planned[:20])
    assert planned == pages.requests(spec, 12, seed=3)


def test_the_page_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """Every kind of page as the public and as a member, the notes as the
    member only, each request timed once, p50 to p99 and requests per second."""
    report, figures = run(
        tmp_path,
        *("benchmarks/pages.py", "--series", "2", "--meetings", "3", "--items", "5"),
        *("--words", "30", "--people", "20", "--requests", "4"),
    )
    for kind in pages.kinds(corpus.Spec(items=30, items_per_meeting=5, series=2)):
        for reader in kind.readers:
            assert figures[f"{kind.name} / {reader} / n"] == 4
            assert (
                0
                < figures[f"{kind.name} / {reader} / p50"]
                <= figures[f"{kind.name} / {reader} / p99"]
            )
            assert figures[f"{kind.name} / {reader} / requests per second"] > 0
    assert "notes / public / n" not in figures
    assert "2 series of 3 meetings (6 in all), 5 items of notes in each" in report
    meeting_lines = [line for line in report.splitlines() if line.startswith("meeting ")]
    assert [line.split()[2] for line in meeting_lines] == ["4", "4"]  # 4 different meetings


def test_the_page_benchmark_applies_its_people_without_an_outbox_error(tmp_path: Path) -> None:
    """The benchmark makes its 200 people in one commit, as `make
    bench-pages` does: the search outbox takes them with no error logged."""
    _report, log, figures = run_logged(
        tmp_path,
        *("benchmarks/pages.py", "--series", "1", "--meetings", "2", "--items", "3"),
        *("--words", "20", "--people", "200", "--requests", "1"),
    )
    assert figures["meeting / public / n"] == 1
    assert "outbox" not in log and "Traceback" not in log


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--requests", "0"], "give at least 1, not 0"),
        (["--meetings", "1.5"], "'1.5' is not a whole number"),
        (["--json", "."], "not a file in an existing folder"),
    ],
)
def test_page_options_it_cannot_use_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same for the page benchmark."""
    with pytest.raises(SystemExit) as ended:
        pages.parse_args(argv)
    assert ended.value.code == 2
    assert message in capsys.readouterr().err
