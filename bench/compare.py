"""Two runs of a benchmark side by side, figure by figure.

    .venv/bin/python -m bench.compare BEFORE.json AFTER.json [--threshold 10]

Reads two files written by ``--json`` (``bench.search`` or
``benchmarks/pages.py``, the same benchmark in both) and prints each figure
before and after with the change in percent. A change larger than the
threshold is flagged: "worse" or "better" where the unit says which way is
better (less time, less memory, more requests per second), "changed" for
counts. Figures found in one file only are listed with a dash for the other.
Exits with 2 and a message when a file cannot be read."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import FORMAT, HIGHER_IS_BETTER, NEUTRAL

THRESHOLD = 10.0


class Unreadable(ValueError):
    """A file that is not a benchmark's figures; the message says why."""


@dataclass(frozen=True)
class Run:
    path: Path
    benchmark: str
    written: str
    figures: dict[str, tuple[float, str]]


def read(path: Path) -> Run:
    """The figures of one run; ``Unreadable`` with the reason otherwise."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise Unreadable(f"{path}: cannot be read ({error.strerror or error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Unreadable(f"{path}: not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("figures"), dict):
        raise Unreadable(f"{path}: no figures in it (write one with --json)")
    if document.get("format") != FORMAT:
        raise Unreadable(f"{path}: format {document.get('format')!r}, this reads {FORMAT}")
    figures = {}
    for name, entry in document["figures"].items():
        figures[name] = _figure(path, name, entry)
    return Run(path, str(document.get("benchmark", "")), str(document.get("written", "")), figures)


def _figure(path: Path, name: str, entry: Any) -> tuple[float, str]:
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable(f"{path}: the figure {name!r} has no numeric value")
    return float(value), str(entry.get("unit", ""))


def change(before: float, after: float) -> float | None:
    """The change in percent, or None when there was nothing to compare with."""
    if before == 0:
        return 0.0 if after == 0 else None
    return 100 * (after - before) / abs(before)


def verdict(percent: float | None, unit: str, threshold: float) -> str:
    """ "worse", "better" or "changed" for a change beyond ``threshold``; else ""."""
    if percent is None:
        return "changed"
    if abs(percent) <= threshold:
        return ""
    if unit in NEUTRAL:
        return "changed"
    grew_better = unit in HIGHER_IS_BETTER
    return "better" if (percent > 0) == grew_better else "worse"


def lines(before: Run, after: Run, threshold: float) -> list[str]:
    names = list(before.figures) + [n for n in after.figures if n not in before.figures]
    width = max([len(n) for n in names] + [6])
    out = [
        f"before: {before.path} ({before.written})",
        f"after:  {after.path} ({after.written})",
        f"flagged: changes over {threshold:g}%",
        "",
        f"{'figure':{width}} {'before':>10} {'after':>10} {'unit':>6} {'change':>8}",
    ]
    flagged = 0
    for name in names:
        old, new = before.figures.get(name), after.figures.get(name)
        unit = (old or new or (0.0, ""))[1]
        if old is None or new is None:
            out.append(f"{name:{width}} {_value(old):>10} {_value(new):>10} {unit:>6} {'—':>8}")
            continue
        percent = change(old[0], new[0])
        flag = verdict(percent, unit, threshold)
        flagged += bool(flag)
        shown = f"{percent:+.1f}%" if percent is not None else "—"
        out.append(
            f"{name:{width}} {_value(old):>10} {_value(new):>10} {unit:>6} {shown:>8}"
            + (f"  <- {flag}" if flag else "")
        )
    out += ["", f"{flagged} figure(s) changed by more than {threshold:g}%"]
    return out


def _value(figure: tuple[float, str] | None) -> str:
    if figure is None:
        return "—"
    value = figure[0]
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument(
        "--threshold", type=float, default=THRESHOLD, help="percent beyond which to flag"
    )
    args = parser.parse_args(argv)
    if not args.threshold >= 0:
        parser.error("--threshold: give a percentage of 0 or more")
    try:
        before, after = read(args.before), read(args.after)
    except Unreadable as error:
        print(f"bench.compare: {error}", file=sys.stderr)
        return 2
    if before.benchmark != after.benchmark:
        print(
            f"bench.compare: {args.before} is of the {before.benchmark!r} benchmark, "
            f"{args.after} of {after.benchmark!r}: compare runs of the same one",
            file=sys.stderr,
        )
        return 2
    print("\n".join(lines(before, after, args.threshold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
