"""The page benchmark: every page of a kind visited once before any comes
again and never twice in a row, all kinds interleaved; the facilitator's
writes go through the real forms; it runs end to end at a tiny size, as
`make bench-pages` runs it, writing every figure to JSON and each
facilitator's figure beside its target; options it cannot use are refused
before any work starts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bench import corpus, writes
from bench.forms import form_with
from benchmarks import pages
from tests.benchmark.bench_support import run, run_logged


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


def test_no_page_is_asked_for_twice_in_a_row() -> None:
    """Across the rounds of a kind, the last page of one round is never the
    first of the next: a write never goes to the meeting written just before."""
    spec = corpus.Spec(items=2 * 2 * 5, items_per_meeting=5, series=2, people=10)
    for seed in range(30):
        planned = pages.requests(spec, 40, seed=seed, long=pages.LongMeetings(2, 5))
        by_kind: dict[tuple[str, str], list[str]] = {}
        for kind, reader, url in planned:
            by_kind.setdefault((kind, reader), []).append(url)
        for (kind, _reader), urls in by_kind.items():
            if kind not in ("home", "topics"):
                assert all(a != b for a, b in itertools.pairwise(urls)), kind


def test_only_the_kinds_asked_for_are_planned() -> None:
    """`--kinds add-item,leak-check` plans those two and nothing else."""
    spec = corpus.Spec(items=2 * 3 * 5, items_per_meeting=5, series=2, people=10)
    args = pages.parse_args(["--kinds", "add-item, leak-check"])
    planned = pages.requests(spec, 5, seed=1, only=args.kinds)
    assert {(kind, reader) for kind, reader, _ in planned} == {
        ("add-item", "facilitator"),
        ("leak-check", "facilitator"),
    }
    assert len(planned) == 10


def test_a_form_is_read_as_a_browser_would_send_it() -> None:
    """Hidden fields, the selected option (else the first), the checked radio
    and checkboxes, and a textarea's text are its values; every choice is
    listed; a page without the form asked for stops the benchmark."""
    page = """<form action="/x" method="post"><input type="hidden" name="csrf_token" value="t">
    <select name="kind"><option value="point">P</option><option value="quote">Q</option></select>
    <select name="speaker"><option value="">None</option><option value="7" selected>S</option>
    </select><input type="radio" name="level" value="open" checked>
    <input type="radio" name="level" value="members"><input type="checkbox" name="items" value="3">
    <input type="checkbox" name="items" value="5" checked><textarea name="body">
text</textarea><button type="submit" name="go">Go</button></form>"""
    form = form_with(page, "body")
    assert (form.action, form.method) == ("/x", "post")
    assert form.values == {
        "csrf_token": ["t"],
        "kind": ["point"],
        "speaker": ["7"],
        "level": ["open"],
        "items": ["5"],
        "body": ["text"],
    }
    assert form.choices["items"] == ["3", "5"] and form.choices["kind"] == ["point", "quote"]
    assert form.filled(body="new", items=["3"])["body"] == "new"
    with pytest.raises(SystemExit, match="no form with a field 'summary'"):
        form_with(page, "summary")


def test_the_page_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    """Every kind of page as the public and as a member, the notes as the
    member only, the writes, circulate page, editor and leak check as a
    facilitator, each request timed once: p50 to p99, CPU and requests per
    second, and each p95 that has a target beside it."""
    report, figures = run(
        tmp_path,
        *("benchmarks/pages.py", "--series", "2", "--meetings", "3", "--items", "5"),
        *("--words", "30", "--people", "20", "--requests", "4"),
        *("--leak-meetings", "2", "--leak-items", "12"),
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
            assert figures[f"{kind.name} / {reader} / cpu / p50"] > 0
    assert "notes / public / n" not in figures
    assert "2 series of 3 meetings (6 in all), 5 items of notes in each" in report
    assert "for the leak check 2 meetings of 12 items" in report
    meeting_lines = [line for line in report.splitlines() if line.startswith("meeting ")]
    assert [line.split()[2] for line in meeting_lines] == ["4", "4"]  # 4 different meetings
    for kind, target in writes.TARGETS.items():
        assert figures[f"{kind} / facilitator / target p95"] == target
        (line,) = [line for line in report.splitlines() if f"] {kind} " in line]
        assert f"p95 ≤ {target:3.0f} ms: " in line and ("[met ]" in line or "[MISS]" in line)
    for kind in writes.WRITES:
        post, whole = (
            figures[f"{kind} / facilitator / post / p50"],
            figures[f"{kind} / facilitator / p50"],
        )
        assert 0 < post < whole  # the POST, then the page it leads to
    add_lines = [line for line in report.splitlines() if line.startswith("add-item ")]
    assert add_lines[0].split()[2] == "4"  # 4 different meetings
    for kind, target in pages.READ_TARGETS.items():
        for reader in next(k.readers for k in pages.kinds(corpus.Spec(items=1)) if k.name == kind):
            assert figures[f"{kind} / {reader} / target p95"] == target
            (line,) = [line for line in report.splitlines() if f"] {kind:12} {reader} " in line]
            assert f"p95 ≤ {target:3.0f} ms: " in line


def test_the_page_benchmark_applies_its_people_without_an_outbox_error(tmp_path: Path) -> None:
    """The benchmark makes its 200 people in one commit, as `make
    bench-pages` does: the search outbox takes them, and the writes that
    apply it after each commit, with no error logged."""
    _report, log, figures = run_logged(
        tmp_path,
        *("benchmarks/pages.py", "--series", "1", "--meetings", "2", "--items", "3"),
        *("--words", "20", "--people", "200", "--requests", "1"),
        *("--leak-meetings", "1", "--leak-items", "5"),
    )
    assert figures["meeting / public / n"] == 1
    assert "outbox" not in log and "Traceback" not in log


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--requests", "0"], "give at least 1, not 0"),
        (["--meetings", "1.5"], "'1.5' is not a whole number"),
        (["--json", "."], "not a file in an existing folder"),
        (["--kinds", "home,nope"], "unknown kind nope; choose from home, topics"),
        (["--profile", "/no/such/folder/p.prof"], "not a file in an existing folder"),
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


def test_the_leak_checks_target_grows_with_the_meeting() -> None:
    """150 ms up to 100 items, 500 ms up to 500, none above; an override
    (which leads to the leak check's page) only up to 100; other writes
    whatever the leak check's meetings."""
    leak, override = writes.LEAK_CHECK, writes.OVERRIDE
    assert [writes.target(leak, n) for n in (12, 100, 101, 500, 501)] == [150, 150, 500, 500, None]
    edited = [writes.target(writes.LEAK_EDITED, n) for n in (100, 500, 501)]
    assert edited == [150, 500, None]
    assert [writes.target(override, n) for n in (100, 101)] == [150, None]
    assert writes.target(writes.ADD_ITEM, 500) == writes.TARGETS[writes.ADD_ITEM]
    long = pages.LongMeetings(10, 500)
    found = {k.name: k.target for k in pages.kinds(corpus.Spec(items=1), long)}
    assert (found[leak], found[override]) == (500, None)


class _Shown:
    status_code = 200

    def get_data(self, as_text: bool = False) -> str:
        return "<html></html>"


def test_each_leak_check_is_timed_after_what_comes_before_it(monkeypatch) -> None:
    """The first look with nothing kept empties what every process keeps
    first; the look after a save adds an item through the editor first;
    neither is part of the time."""
    done: list[str] = []
    facilitator = writes.Facilitator(
        None,  # type: ignore[arg-type]
        corpus.Spec(items=4, items_per_meeting=2, series=1, people=3),
        1,
        forget=lambda: done.append("forget"),
    )
    monkeypatch.setattr(facilitator, "_save_item", lambda url: done.append(f"save {url}"))

    def read(client: object, url: str) -> tuple[_Shown, writes.Timing]:
        done.append(f"read {url}")
        return _Shown(), writes.Timing(1.0, 1.0, 1.0)

    monkeypatch.setattr(writes, "read_page", read)
    page = "/series/series-2/meetings/1/leak-check"
    facilitator.timed(writes.LEAK_CHECK, page)
    facilitator.timed(writes.LEAK_EDITED, page)
    facilitator.timed(writes.CIRCULATE, "/series/series-1/meetings/1/circulate")
    assert done == [
        "forget",
        f"read {page}",
        "save /series/series-2/meetings/1/notes/edit",
        f"read {page}",
        "read /series/series-1/meetings/1/circulate",
    ]
