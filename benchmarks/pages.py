"""Benchmark the main pages on a generated database.

    .venv/bin/python benchmarks/pages.py [--series 5] [--meetings 60] [--requests 200]

Builds a throw-away instance folder with SQLite (or the database given by
NOTESBASE_BENCH_DATABASE_URL), fills it with series, meetings and topics, then
times each page through the WSGI app in-process (no network), reporting the
median and 95th percentile latency and requests per second. Run it before and
after a change on the same machine; compare, do not read the numbers alone."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from notesbase import create_app, migrate
from notesbase.db import db
from notesbase.meetings.topics import get_or_create_topics
from notesbase.models import Meeting, MeetingStatus, Series

THEMES = [
    "Public sector",
    "People and Participation",
    "Deliberation",
    "Data ethics",
    "Citizens' juries",
    "Local government",
    "Health data",
    "AI procurement",
]


def populate(series_count: int, meetings_per_series: int) -> list[str]:
    """Fill the database; return the URLs to time."""
    rng = random.Random(7)  # noqa: S311 - repeatable sample data, not security
    urls = ["/", "/topics/"]
    start = date(2022, 1, 12)
    for s in range(series_count):
        series = Series(slug=f"series-{s}", title=f"Benchmark series {s}", description="Bench.")
        db.session.add(series)
        for n in range(1, meetings_per_series + 1):
            topics = get_or_create_topics(rng.sample(THEMES, 3))
            meeting = Meeting(
                series=series,
                topics=topics,
                number=n,
                title=f"Meeting {n}",
                date=start + timedelta(days=28 * n),
                status=MeetingStatus.HELD,
                theme=rng.choice(THEMES),
                description="Some **Markdown** with [a link](https://example.org).\n\n" * 5,
            )
            db.session.add(meeting)
        urls += [f"/series/series-{s}", f"/series/series-{s}/meetings/{meetings_per_series // 2}"]
    urls.append("/topics/public-sector")
    db.session.commit()
    return urls


def time_url(client, url: str, requests: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return median * 1000, p95 * 1000, len(samples) / sum(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=5)
    parser.add_argument("--meetings", type=int, default=60)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get(
            "NOTESBASE_BENCH_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        app = create_app({"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            migrate.upgrade(db.engine)
            urls = populate(args.series, args.meetings)
        client = app.test_client()
        print(f"{args.series} series x {args.meetings} meetings, {args.requests} requests a page")
        print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
        for page in urls:
            median, p95, rate = time_url(client, page, args.requests)
            print(f"{page:45} {median:10.2f} {p95:8.2f} {rate:8.0f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
