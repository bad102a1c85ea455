"""The search benchmark's command line (``python -m bench.search --help``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import options


def _numbers(text: str) -> list[int]:
    try:
        found = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers such as 2,1") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers of at least 1, such as 2,1")
    return found


def parse(argv: list[str] | None, description: str) -> argparse.Namespace:
    """The search benchmark's options from ``argv``; exits with a message on
    bad ones."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--items", type=options.count(1), default=10_000)
    parser.add_argument(
        "--per-meeting", type=options.count(1), default=40, help="items per meeting"
    )
    parser.add_argument("--series", type=options.count(1), default=3)
    parser.add_argument("--people", type=options.count(1), default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--procs",
        type=_numbers,
        default=[2, 1],
        help="writer processes for each full rebuild, in order (the last one is searched)",
    )
    parser.add_argument(
        "--varied",
        type=options.count(0),
        default=300,
        help="different queries of each kind, each asked once over HTTP (0: none)",
    )
    parser.add_argument(
        "--mix", type=options.count(0), default=50, help="more of each kind, asked once in process"
    )
    parser.add_argument(
        "--per-client",
        type=options.count(0),
        default=150,
        help="new queries each client asks in the throughput runs (0: no throughput runs)",
    )
    parser.add_argument(
        "--clients",
        type=_numbers,
        default=[1, 2, 4],
        help="clients at once in each throughput run, in order",
    )
    parser.add_argument(
        "--cold-runs", type=options.count(0), default=3, help="runs of fresh servers' first answers"
    )
    parser.add_argument(
        "--repeat",
        type=options.count(0),
        default=30,
        help="timed runs of one query of each kind, asked again and again (0: none)",
    )
    parser.add_argument(
        "--changes", type=options.count(1), default=20, help="changes timed for each figure"
    )
    parser.add_argument("--workers", type=options.count(1), default=2, help="gunicorn workers")
    parser.add_argument("--no-http", dest="http", action="store_false")
    parser.add_argument("--profile", choices=["rebuild", "search", "http", "update"])
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    options.add_json(parser)
    args = parser.parse_args(argv)
    options.check_json(parser, args)
    if args.keep is not None and args.keep.exists():
        parser.error(f"--keep {args.keep}: already exists (give a new folder)")
    return args
