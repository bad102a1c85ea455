"""Latency samples with nearest-rank percentiles, and the figures of one
run written to a JSON file, so that two runs (before and after a change) can
be compared figure by figure (``bench.compare``)."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The units in which a higher value is the better one; in every other unit
# (ms, s, MB, kB) lower is better, except plain counts, which are neither.
HIGHER_IS_BETTER = frozenset({"req/s", "×"})
NEUTRAL = frozenset({"count", "%"})
FORMAT = 1


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an
    interpolation between two (the p95 of twenty is the nineteenth)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Sample:
    """Latencies in milliseconds."""

    values: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return percentile(self.values, 0.95)

    @property
    def p99(self) -> float:
        return percentile(self.values, 0.99)

    @property
    def max(self) -> float:
        return max(self.values)

    @property
    def count(self) -> int:
        return len(self.values)


@dataclass
class Figures:
    """Every figure of a run by a stable name, with its unit, in the order
    they were measured."""

    benchmark: str
    values: dict[str, tuple[float, str]] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str) -> None:
        self.values[name] = (float(value), unit)

    def add_sample(self, name: str, sample: Sample, unit: str = "ms") -> None:
        """p50, p95, p99 and max of ``sample``, and how many values there
        were (a p99 of fewer than 100 is simply the largest)."""
        self.add(f"{name} / p50", sample.p50, unit)
        self.add(f"{name} / p95", sample.p95, unit)
        self.add(f"{name} / p99", sample.p99, unit)
        self.add(f"{name} / max", sample.max, unit)
        self.add(f"{name} / n", sample.count, "count")

    def write(self, path: Path, settings: dict[str, Any]) -> None:
        """The figures as JSON, with what was run and where."""
        document = {
            "format": FORMAT,
            "benchmark": self.benchmark,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine(),
            "settings": settings,
            "figures": {
                name: {"value": value, "unit": unit} for name, (value, unit) in self.values.items()
            },
        }
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")


def machine() -> dict[str, Any]:
    """What the figures depend on besides the code."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "executable": sys.executable,
    }
