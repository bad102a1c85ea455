"""Benchmark figures written to JSON and two runs compared: a change of more
than 10% is flagged, in the direction the unit says is worse or better;
files that are not figures are refused with a message, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import compare
from bench.figures import Figures, Sample


def written(path: Path, figures: dict[str, tuple[float, str]], benchmark: str = "search") -> Path:
    run = Figures(benchmark)
    for name, (value, unit) in figures.items():
        run.add(name, value, unit)
    run.write(path, {"items": 300})
    return path


def compared(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, str], str]:
    """Exit status, each figure's line by name, and what went to stderr."""
    status = compare.main(list(argv))
    out, err = capsys.readouterr()
    rows = {}
    for line in out.splitlines():
        name = line.split("  ")[0].strip()
        rows[name] = line
    return status, rows, err


def test_a_change_over_ten_percent_is_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """11% slower is flagged worse, 9% slower is not; fewer requests per
    second is worse, less memory better, a different count only changed."""
    before = written(
        tmp_path / "before.json",
        {
            "HTTP varied / phrase / p95": (100.0, "ms"),
            "HTTP varied / rare word / p95": (100.0, "ms"),
            "notes / member / requests per second": (100.0, "req/s"),
            "memory after start-up / largest RSS MB": (200.0, "MB"),
            "HTTP varied / phrase / median hits": (40.0, "count"),
            "cold start / to first search answered s / max": (2.0, "s"),
        },
    )
    after = written(
        tmp_path / "after.json",
        {
            "HTTP varied / phrase / p95": (111.0, "ms"),
            "HTTP varied / rare word / p95": (109.0, "ms"),
            "notes / member / requests per second": (80.0, "req/s"),
            "memory after start-up / largest RSS MB": (150.0, "MB"),
            "HTTP varied / phrase / median hits": (60.0, "count"),
            "cold start / to first search answered s / max": (1.0, "s"),
        },
    )
    status, rows, err = compared(capsys, str(before), str(after))
    assert status == 0 and err == ""
    assert rows["HTTP varied / phrase / p95"].endswith("+11.0%  <- worse")
    assert rows["HTTP varied / rare word / p95"].endswith("+9.0%")
    assert rows["notes / member / requests per second"].endswith("-20.0%  <- worse")
    assert rows["memory after start-up / largest RSS MB"].endswith("-25.0%  <- better")
    assert rows["HTTP varied / phrase / median hits"].endswith("+50.0%  <- changed")
    assert rows["cold start / to first search answered s / max"].endswith("-50.0%  <- better")
    assert "5 figure(s) changed by more than 10%" in rows


def test_the_threshold_can_be_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--threshold 5 flags the 9% change too; exactly the threshold is not a change over it."""
    before = written(tmp_path / "a.json", {"x / p95": (100.0, "ms"), "y / p95": (100.0, "ms")})
    after = written(tmp_path / "b.json", {"x / p95": (109.0, "ms"), "y / p95": (105.0, "ms")})
    status, rows, _ = compared(capsys, str(before), str(after), "--threshold", "5")
    assert status == 0
    assert rows["x / p95"].endswith("+9.0%  <- worse")
    assert rows["y / p95"].endswith("+5.0%")


def test_figures_in_one_run_only_and_zeroes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A figure missing from either run is shown with a dash, never a
    made-up change; from nothing to something is flagged as changed."""
    before = written(tmp_path / "a.json", {"old / p50": (5.0, "ms"), "zero / n": (0.0, "count")})
    after = written(tmp_path / "b.json", {"new / p50": (7.0, "ms"), "zero / n": (3.0, "count")})
    status, rows, _ = compared(capsys, str(before), str(after))
    assert status == 0
    assert rows["old / p50"].split()[-3:] == ["—", "ms", "—"]
    assert rows["new / p50"].split()[-4:] == ["—", "7", "ms", "—"]
    assert rows["zero / n"].endswith("—  <- changed")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read"),
        ("{not json", "not JSON"),
        ("\udcff", "not JSON"),
        ('{"benchmark": "search"}', "no figures in it"),
        ("[1, 2]", "no figures in it"),
        ('{"format": 99, "figures": {}}', "format 99"),
        ('{"format": 1, "figures": {"a": {"value": "fast"}}}', "no numeric value"),
        ('{"format": 1, "figures": {"a": {"value": true}}}', "no numeric value"),
        ('{"format": 1, "figures": {"a": 3}}', "no numeric value"),
    ],
)
def test_what_is_not_figures_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    """A missing file, broken JSON, odd bytes or a file of other things:
    exit 2 and one line naming the file and what is wrong."""
    good = written(tmp_path / "good.json", {"x / p50": (1.0, "ms")})
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, "utf-8", errors="surrogateescape")
    status, _, err = compared(capsys, str(good), str(bad))
    assert status == 2
    assert err.startswith(f"bench.compare: {bad}: ") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_runs_of_different_benchmarks_are_not_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A search run beside a pages run is refused: their figures mean different things."""
    search = written(tmp_path / "s.json", {"x / p50": (1.0, "ms")})
    pages = written(tmp_path / "p.json", {"x / p50": (1.0, "ms")}, benchmark="pages")
    status, rows, err = compared(capsys, str(search), str(pages))
    assert status == 2 and rows == {}
    assert "compare runs of the same one" in err


def test_the_json_holds_every_figure_with_its_unit(tmp_path: Path) -> None:
    """p50, p95, p99, max and n of a sample, each with its unit, beside the
    settings and the machine."""
    run = Figures("pages")
    run.add_sample("notes / member", Sample([float(n) for n in range(1, 301)]))
    run.write(tmp_path / "run.json", {"requests": 300})
    document = json.loads((tmp_path / "run.json").read_text("utf-8"))
    assert document["benchmark"] == "pages" and document["settings"] == {"requests": 300}
    assert document["machine"]["cores"] >= 1
    figures = document["figures"]
    assert figures["notes / member / p50"] == {"value": 150.5, "unit": "ms"}
    assert figures["notes / member / p95"]["value"] == 285.0
    assert figures["notes / member / p99"]["value"] == 297.0
    assert figures["notes / member / max"]["value"] == 300.0
    assert figures["notes / member / n"] == {"value": 300.0, "unit": "count"}


def test_p99_is_nearest_rank() -> None:
    """The p99 of 300 samples is the 297th smallest; of fewer than 100, the largest."""
    assert Sample([float(n) for n in range(300, 0, -1)]).p99 == 297.0
    assert Sample([1.0, 2.0, 50.0]).p99 == 50.0
    with pytest.raises(ValueError):
        Sample([]).p99  # noqa: B018 - the property raises
