"""Benchmark the main pages on a generated database.

    .venv/bin/python benchmarks/pages.py [--series 5] [--meetings 60] [--requests 200]
                                         [--people 200] [--items 40]

Builds a throw-away instance folder with SQLite (or the database given by
NOTESBASE_BENCH_DATABASE_URL), fills it with series, meetings and topics,
people with consents, and notes for one meeting of each series; then times
each page through the WSGI app in-process (no network), as the public and, for
the notes, as a member of the series (page and API), reporting the median and
95th percentile latency and requests per second. Run it before and
after a change on the same machine; compare, do not read the numbers alone."""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from notesbase import create_app, migrate
from notesbase.auth.passwords import hash_password
from notesbase.db import db
from notesbase.disclosure import Confidentiality, ConsentAudience, Kind, Level
from notesbase.meetings.topics import get_or_create_topics
from notesbase.models import Consent, Item, Meeting, MeetingStatus, Member, Person, Series

PASSWORD = "benchmark password"  # noqa: S105 - a throw-away database
WORDS = [
    "data",
    "engagement",
    "public",
    "council",
    "trust",
    "survey",
    "residents",
    "deliberation",
    "panel",
    "procurement",
    "pilot",
    "evidence",
    "method",
    "inclusion",
    "outcome",
    "budget",
    "research",
]

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


def populate_notes(
    series_count: int, meetings_per_series: int, people_count: int, items_per_meeting: int
) -> list[str]:
    """People with consents of every level, a member of every series, and the
    notes of one meeting per series; return the notes URLs to time."""
    rng = random.Random(11)  # noqa: S311 - repeatable sample data, not security
    people = [
        Person(
            name=f"Person{i} Surname{i}",
            affiliation=f"Organisation {i % 40}",
            descriptor=f"a practitioner of kind {i}",
            email=f"person{i}@example.org",
        )
        for i in range(people_count)
    ]
    db.session.add_all(people)
    db.session.flush()
    for person in people:
        for audience in ConsentAudience:
            db.session.add(
                Consent(person_id=person.id, audience=audience, level=rng.choice(list(Level)))
            )
    all_series = db.session.scalars(sa.select(Series)).all()
    member = Member(
        email="bench@example.org",
        display_name="Bench",
        password_hash=hash_password(PASSWORD),
        series=list(all_series),
    )
    db.session.add(member)
    number = meetings_per_series // 2
    urls = []
    for s in range(series_count):
        meeting = db.session.scalar(
            sa.select(Meeting)
            .join(Series)
            .where(Series.slug == f"series-{s}", Meeting.number == number)
        )
        for position in range(1, items_per_meeting + 1):
            speaker = rng.choice(people)
            words = " ".join(rng.choices(WORDS, k=40))
            mention = rng.choice(people).name
            db.session.add(
                Item(
                    meeting_id=meeting.id,
                    position=position,
                    section=f"Section {position // 8}",
                    kind=rng.choice(list(Kind)),
                    body=f"{words} as {mention} said, [{words[:30]}]{{.members}} {words}.",
                    speaker_id=speaker.id,
                    confidentiality=rng.choice(list(Confidentiality)),
                )
            )
        urls += [f"/series/series-{s}/meetings/{number}/notes"]
    db.session.commit()
    return urls


def log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    response = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": "bench@example.org", "password": PASSWORD},
    )
    if response.status_code != 302:
        raise SystemExit(f"benchmark login failed: {response.status_code}")


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
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--items", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get(
            "NOTESBASE_BENCH_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        app = create_app({"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            migrate.upgrade(db.engine)
            urls = populate(args.series, args.meetings)
            notes_urls = populate_notes(args.series, args.meetings, args.people, args.items)
        client = app.test_client()
        print(
            f"{args.series} series x {args.meetings} meetings, {args.people} people, "
            f"{args.items} items of notes, {args.requests} requests a page"
        )
        print(f"{'page':50} {'median ms':>10} {'p95 ms':>8} {'req/s':>8}")
        for page in urls:
            median, p95, rate = time_url(client, page, args.requests)
            print(f"{page:50} {median:10.2f} {p95:8.2f} {rate:8.0f}")
        member = app.test_client()
        log_in(member)
        for page in notes_urls:
            median, p95, rate = time_url(member, page, args.requests)
            print(f"{page + ' (member)':50} {median:10.2f} {p95:8.2f} {rate:8.0f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
