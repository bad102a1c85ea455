"""Measurements on a live server, as a logged-in member: varied queries
each asked once, the memory of each worker, and cold starts (how long a
freshly started server takes to answer, and each new worker's first search).

Cold starts are measured on two fresh servers per run. On the first, one
search is sent the moment the server is started and retried until it can
connect: what a reader who searches just after a restart waits for. On
the second, the benchmark waits until every worker has started (built the
app and read the index: its CPU falls idle), then sends one search per
worker all at once; a sync worker answers one request at a time, so each
worker gets one, and the CPU each used shows that it did."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from bench import procfs, server, throughput
from bench.corpus import Query
from bench.figures import Sample

StartServer = Callable[[], AbstractContextManager[server.Running]]


@dataclass
class Answers:
    """Latencies by query kind, and what the answers held."""

    by_kind: dict[str, Sample] = field(default_factory=dict)
    total: Sample | None = None
    highlighted: int = 0  # answers that showed at least one highlighted hit
    expected: int = 0  # queries the engine, asked beforehand, found hits for


def time_queries(
    client: server.Client, queries: Iterable[Query], totals: dict[Query, int]
) -> Answers:
    """Each query once, in the order given, timed from sending it to the
    last byte of the page. ``totals`` are the hits the engine found for each
    beforehand (to tell a page without hits from a broken one)."""
    values: dict[str, list[float]] = {}
    answers = Answers()
    for query in queries:
        path = server.query_path(query)
        began = time.perf_counter()
        status, page = client.get(path)
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        values.setdefault(query.name, []).append(elapsed)
        answers.expected += totals.get(query, 0) > 0
        answers.highlighted += "<mark>" in page
    answers.by_kind = {name: Sample(v) for name, v in values.items()}
    answers.total = Sample([v for kind in values.values() for v in kind])
    return answers


def memory_of(running: server.Running) -> dict[int, procfs.Memory]:
    """The memory of each of ``running``'s workers, once they are idle."""
    if not procfs.available():
        return {}
    pids, _ = procfs.wait_until_idle(running.pid, running.workers)
    readings = {worker: procfs.memory(worker) for worker in pids}
    return {worker: reading for worker, reading in readings.items() if reading is not None}


@dataclass
class ColdRun:
    """One run: seconds from starting the server until it accepted a
    connection and until it answered a first search; seconds until every
    worker had started; and each worker's first search, in ms."""

    listening: float
    first_answer: float
    first_answer_ms: float
    ready: float | None = None
    first_searches: list[float] = field(default_factory=list)
    answered_by: int = 0  # workers seen busy during their first searches


def cold_run(start: StartServer, cookies: dict[str, str], texts: list[Query]) -> ColdRun:
    """Two fresh servers: the first search as soon as one is started, and
    each worker's first search once they all have; ``texts`` must hold one
    query more than there are workers, none asked before."""
    with start() as fresh:
        run = _first_answer(fresh, cookies, texts[0])
    with start() as fresh:
        _first_searches(fresh, cookies, texts[1:], run)
    return run


def _first_answer(fresh: server.Running, cookies: dict[str, str], query: Query) -> ColdRun:
    client = server.Client(fresh.port, cookies)
    path = server.query_path(query)
    deadline = fresh.began + 180
    while time.perf_counter() < deadline:
        if fresh.process.poll() is not None:
            raise RuntimeError(f"the server exited with {fresh.process.returncode}; see its log")
        sent = time.perf_counter()
        try:
            status, _ = client.get(path)
        except ConnectionRefusedError:
            time.sleep(0.01)
            continue
        answered = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"{path} answered {status} on a fresh server")
        return ColdRun(
            listening=client.connected_at - fresh.began,
            first_answer=answered - fresh.began,
            first_answer_ms=(answered - sent) * 1000,
        )
    raise RuntimeError("a fresh server did not answer in 180 s")


def _first_searches(
    fresh: server.Running, cookies: dict[str, str], texts: list[Query], run: ColdRun
) -> None:
    if not procfs.available():
        return
    pids, ready = procfs.wait_until_idle(fresh.pid, fresh.workers)
    if len(texts) < len(pids):
        raise ValueError(f"{len(pids)} workers need as many new queries, not {len(texts)}")
    run.ready = ready - fresh.began
    before = {pid: procfs.cpu_ns(pid) or 0 for pid in pids}
    run.first_searches = _all_at_once(fresh.port, cookies, texts[: len(pids)])
    after = {pid: procfs.cpu_ns(pid) or 0 for pid in pids}
    run.answered_by = sum(after[p] - before[p] >= procfs.BUSY_NS for p in pids)


def _all_at_once(port: int, cookies: dict[str, str], texts: list[Query]) -> list[float]:
    """Each query from its own client, released together; ms each."""
    return throughput.at_once(port, cookies, [[query] for query in texts]).latencies.values
