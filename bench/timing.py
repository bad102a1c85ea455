"""Timing helpers of the search benchmark: a query asked again and again,
CPU seconds with the writer processes', a folder's size, and a profile of
one phase when asked for (``--profile``)."""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.figures import Sample


def measure(action: Callable[[], object], repeat: int, warm: int = 3) -> Sample:
    for _ in range(warm):
        action()
    values = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        values.append((time.perf_counter() - began) * 1000)
    return Sample(values)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (writer processes)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def folder_bytes(path: Path | None) -> int:
    if path is None:
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextlib.contextmanager
def profiled(phase: str, chosen: str | None, profiles: list[str]) -> Iterator[None]:
    """Profile what runs inside when ``phase`` is the ``chosen`` one,
    adding the two tables (cumulative, own time) to ``profiles``."""
    if chosen != phase:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(35)
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(20)
        profiles.append(f"== profile of {phase} ==\n{out.getvalue()}")
