"""Throughput runs: every client asks its own share of the queries, each
once; the requests are counted and the wall time runs from the clients'
release to the last answer, so concurrency shows as more requests per
second. Checked against a stub server whose every answer takes 50 ms."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import compare, server, throughput
from bench.corpus import Query
from bench.figures import Figures, Sample

DELAY = 0.05


class _Stub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__((server.HOST, 0), _Slow)
        self.asked: list[str] = []
        self.status = 200


class _Slow(BaseHTTPRequestHandler):
    server: _Stub

    def do_GET(self) -> None:
        time.sleep(DELAY)
        self.server.asked.append(self.path)
        body = b"<p>found</p>"
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[_Stub]:
    running = _Stub()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


def _queries(count: int) -> list[Query]:
    return [Query("common word", f"word{n}") for n in range(count)]


def test_each_level_counts_its_requests_and_times_them_together(stub: _Stub) -> None:
    """1, 2 and 4 clients of 3 requests each: 3, 6 and 12 requests, every
    query asked once; each level's wall time is about one client's three
    answers (the clients overlap), not the sum of all its requests."""
    asked = _queries(21)
    runs = throughput.measure(stub.server_address[1], {}, asked, (1, 2, 4), per_client=3)
    assert [(run.clients, run.requests) for run in runs] == [(1, 3), (2, 6), (4, 12)]
    assert sorted(stub.asked) == sorted(server.query_path(query) for query in asked)
    for run in runs:
        assert run.latencies.count == run.requests
        assert min(run.latencies.values) >= DELAY * 1000
        assert run.seconds >= 3 * DELAY
        if run.clients > 1:
            assert run.seconds < run.requests * DELAY
        assert run.per_second == pytest.approx(run.requests / run.seconds)
    one, _, four = runs
    assert four.per_second > 2 * one.per_second


def test_a_failed_answer_ends_the_run(stub: _Stub) -> None:
    """An answer other than 200 is an error naming the request, not a figure."""
    stub.status = 500
    with pytest.raises(RuntimeError, match="answered 500"):
        throughput.at_once(stub.server_address[1], {}, [_queries(2)])


def test_too_few_queries_are_refused() -> None:
    """Each client needs its own queries: fewer than the levels ask for is
    an error before any request."""
    assert throughput.needed((1, 2, 4), 150) == 1_050
    with pytest.raises(ValueError, match="21 queries needed, not 20"):
        throughput.measure(1, {}, _queries(20), (1, 2, 4), per_client=3)


def test_throughput_figures_are_compared_as_rates() -> None:
    """Each level's rate is written in req/s, which ``bench.compare`` judges
    higher-is-better: a fall of a fifth is flagged worse."""
    found = Figures("search")
    run = throughput.Throughput(4, 8, 0.5, Sample([10.0] * 8))
    throughput.add_figures(found, [run])
    value, unit = found.values["throughput / 4 client(s) / req/s"]
    assert (value, unit) == (16.0, "req/s")
    assert found.values["throughput / 4 client(s) / p95"] == (10.0, "ms")
    assert compare.verdict(compare.change(value, 0.8 * value), unit, 10) == "worse"
