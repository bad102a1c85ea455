"""Command-line options both benchmarks share: whole numbers with a lower
bound, and the JSON file the figures go to, checked before any work starts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse_count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"give at least {minimum}, not {value}")
        return value

    return parse_count


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", type=Path, help="also write every figure to this JSON file (for bench.compare)"
    )


def check_json(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a --json path that cannot be written, before a long run, not after it."""
    path: Path | None = args.json
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        parser.error(f"--json {path}: not a file in an existing folder")


def settings(args: argparse.Namespace) -> dict[str, object]:
    """The options as JSON can hold them."""
    return {k: _json_value(v) for k, v in vars(args).items()}


def _json_value(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return value
