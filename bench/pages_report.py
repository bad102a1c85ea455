"""The page benchmark's figures (``benchmarks/pages.py``): every request's
timings by kind of page and reader, the table printed, each figure that
has a target beside it, and the figures kept for ``bench.compare``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bench import corpus, writes
from bench.figures import Figures, Sample


@dataclass(frozen=True)
class LongMeetings:
    """The leak check's meetings: ``count`` meetings of ``items`` items, in
    the series after the corpus's."""

    count: int = 20
    items: int = 100


DEFAULT_LONG = LongMeetings()


@dataclass
class Timed:
    """Every request's figures by (kind, reader): wall-clock ms, the POST's
    part of a write, and CPU ms."""

    wall: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    post: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, key: tuple[str, str], timing: writes.Timing) -> None:
        self.wall.setdefault(key, []).append(timing.wall)
        self.post.setdefault(key, []).append(timing.post)
        self.cpu.setdefault(key, []).append(timing.cpu)


def report(
    spec: corpus.Spec,
    timed: Timed,
    planned: list[tuple[str, str, str]],
    targets: dict[str, float],
    long: LongMeetings = LongMeetings(),
) -> str:
    distinct: dict[tuple[str, str], set[str]] = {}
    for kind, reader, url in planned:
        distinct.setdefault((kind, reader), set()).add(url)
    lines = [
        f"{spec.series} series of {spec.meetings // spec.series:,} meetings "
        f"({spec.meetings:,} in all), {spec.items_per_meeting} items of notes in each "
        f"({spec.items:,} items of about {spec.words_per_item} words), {spec.people} people; "
        f"for the leak check {long.count} meetings of {long.items} items; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        f"{'page':12} {'as':11} {'pages':>6} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'req/s':>7}",
    ]
    for (kind, reader), values in timed.wall.items():
        sample, cpu = Sample(values), Sample(timed.cpu[(kind, reader)])
        lines.append(
            f"{kind:12} {reader:11} {len(distinct[(kind, reader)]):6,} {sample.count:5} "
            f"{sample.p50:8.1f} {sample.p95:8.1f} {sample.p99:8.1f} {sample.max:8.1f} "
            f"{cpu.p50:8.1f} {cpu.p95:8.1f} {_rate(sample):7.0f}"
        )
    checked = [(key, values) for key, values in timed.wall.items() if key[0] in targets]
    if checked:
        lines += [
            "",
            "targets (p95, on 2 cores; a write is its POST and the page it leads to; "
            "series, topic, notes and editor for 300 meetings of 500 items):",
        ]
    for (kind, reader), values in checked:
        p95, target = Sample(values).p95, targets[kind]
        cpu = Sample(timed.cpu[(kind, reader)]).p95
        post = Sample(timed.post[(kind, reader)]).p95 if kind in writes.WRITES else 0.0
        part = f", the POST alone {post:.1f}" if kind in writes.WRITES else ""
        lines.append(
            f"  [{'met ' if p95 <= target else 'MISS'}] {kind:12} {reader:11} "
            f"p95 ≤ {target:3.0f} ms: {p95:6.1f} (CPU {cpu:.1f}{part})"
        )
    return "\n".join(lines)


def _rate(sample: Sample) -> float:
    return 1000 * sample.count / sum(sample.values)


def figures(timed: Timed, targets: dict[str, float]) -> Figures:
    found = Figures("pages")
    for (kind, reader), values in timed.wall.items():
        sample = Sample(values)
        found.add_sample(f"{kind} / {reader}", sample)
        found.add(f"{kind} / {reader} / requests per second", _rate(sample), "req/s")
        found.add_sample(f"{kind} / {reader} / cpu", Sample(timed.cpu[(kind, reader)]))
        if kind in writes.WRITES:
            found.add_sample(f"{kind} / {reader} / post", Sample(timed.post[(kind, reader)]))
        if kind in targets:
            found.add(f"{kind} / {reader} / target p95", targets[kind], "ms")
    return found
