"""Throughput over HTTP: several clients at once, each asking its own new
queries one after another (a new connection each, as a browser's page
load), timed from the moment all are released until the last answer.

Each level of concurrency gets queries no other level or client asks, so
no client finds another's posting lists decoded or hits rendered."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench import server
from bench.corpus import Query
from bench.figures import Figures, Sample

CLIENTS = (1, 2, 4)


@dataclass(frozen=True)
class Throughput:
    """One level: how many clients, the requests they made, the seconds
    from their release to the last answer, and each request's latency."""

    clients: int
    requests: int
    seconds: float
    latencies: Sample

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def needed(levels: Sequence[int], per_client: int) -> int:
    """Queries all the levels ask together."""
    return sum(levels) * per_client


def measure(
    port: int,
    cookies: dict[str, str],
    asked: Sequence[Query],
    levels: Sequence[int],
    per_client: int,
) -> list[Throughput]:
    """Each level in turn, ``per_client`` queries for each client, taken in
    order from ``asked`` (``needed`` of them at least)."""
    if len(asked) < needed(levels, per_client):
        raise ValueError(f"{needed(levels, per_client)} queries needed, not {len(asked)}")
    found, start = [], 0
    for clients in levels:
        shares = [
            list(asked[start + n * per_client : start + (n + 1) * per_client])
            for n in range(clients)
        ]
        start += clients * per_client
        found.append(at_once(port, cookies, shares))
    return found


def at_once(port: int, cookies: dict[str, str], shares: list[list[Query]]) -> Throughput:
    """One client (thread) per share of queries, released together; raises
    if any request failed or answered other than 200."""
    gate = threading.Barrier(len(shares) + 1)
    latencies: list[list[float]] = [[] for _ in shares]
    failures: list[str] = []

    def ask(position: int, share: list[Query]) -> None:
        client = server.Client(port, cookies)
        gate.wait()
        for query in share:
            path = server.query_path(query)
            began = time.perf_counter()
            try:
                status, _ = client.get(path)
            except OSError as error:
                failures.append(f"{path}: {error}")
                return
            latencies[position].append((time.perf_counter() - began) * 1000)
            if status != 200:
                failures.append(f"{path} answered {status}")
                return

    threads = [threading.Thread(target=ask, args=pair) for pair in enumerate(shares)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if failures:
        raise RuntimeError("a search failed: " + "; ".join(failures[:3]))
    values = [value for client in latencies for value in client]
    return Throughput(len(shares), len(values), seconds, Sample(values))


def lines(runs: list[Throughput]) -> list[str]:
    """The report's table."""
    if not runs:
        return []
    out = [
        "throughput over HTTP: clients at once, each asking its own new queries (all kinds)",
        f"{'clients':>8} {'requests':>9} {'seconds':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}",
    ]
    for run in runs:
        out.append(
            f"{run.clients:8} {run.requests:9} {run.seconds:8.2f} {run.per_second:7.1f} "
            f"{run.latencies.p50:7.1f} {run.latencies.p95:7.1f}"
        )
    return [*out, ""]


def add_figures(found: Figures, runs: list[Throughput]) -> None:
    for run in runs:
        name = f"throughput / {run.clients} client(s)"
        found.add(f"{name} / req/s", run.per_second, "req/s")
        found.add(f"{name} / requests", run.requests, "count")
        found.add_sample(name, run.latencies)
