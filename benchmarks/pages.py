"""Benchmark the main pages on a generated database, kind of page by kind.

    .venv/bin/python benchmarks/pages.py [--series 5] [--meetings 60] [--items 40]
                                         [--words 80] [--people 200] [--requests 300]
                                         [--seed 1] [--json PATH]

Builds a throw-away instance (SQLite, or the empty database named by
NOTESBASE_BENCH_DATABASE_URL) holding the search benchmark's synthetic corpus
(``bench.corpus``): ``--series`` series of ``--meetings`` meetings each,
every meeting with notes of ``--items`` items of about ``--words`` words,
and ``--people`` people whose consents vary by audience and series. For
realistic sizes ask for more: ``--series 3 --meetings 100 --items 200`` is
300 meetings of 200 items.

Then it times ``--requests`` requests of each kind of page through the WSGI
app in process (no network), as the public and as a member of every series
(the notes as the member only: the public is answered with a 404 there).
Each request asks for a different page where there are enough of them:
meetings and their notes in a seeded order, each visited once before any is
visited again; series and topics in turn. All kinds are interleaved in one
seeded order. It reports p50, p95, p99, max and requests per second by kind;
``--json`` writes every figure for ``bench.compare``. Run it before and
after a change on the same machine; compare, do not read the numbers alone."""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from bench import corpus, options, say
from bench.figures import Figures, Sample
from notesbase import create_app
from notesbase.db import db
from notesbase.text import slugify

PUBLIC, MEMBER = "public", "member"


@dataclass(frozen=True)
class Kind:
    """A kind of page: its name, the readers it is timed for, and every
    address of that kind in the corpus."""

    name: str
    readers: tuple[str, ...]
    urls: tuple[str, ...]


def kinds(spec: corpus.Spec) -> list[Kind]:
    """The pages timed, with every address of each in ``spec``'s corpus."""
    meetings = [f"/series/series-{m.series_id}/meetings/{m.number}" for m in corpus.meetings(spec)]
    both = (PUBLIC, MEMBER)
    return [
        Kind("home", both, ("/",)),
        Kind("topics", both, ("/topics/",)),
        Kind("series", both, tuple(f"/series/series-{s}" for s in range(1, spec.series + 1))),
        Kind("meeting", both, tuple(meetings)),
        Kind("topic", both, tuple(f"/topics/{slugify(name)}" for name, _ in corpus.TOPICS)),
        Kind("notes", (MEMBER,), tuple(f"{url}/notes" for url in meetings)),
    ]


def in_turn(urls: tuple[str, ...], count: int, rng: random.Random) -> Iterator[str]:
    """``count`` addresses: each of ``urls`` once, in a seeded order, before
    any comes again."""
    given = 0
    while given < count:
        for url in rng.sample(urls, len(urls))[: count - given]:
            given += 1
            yield url


def requests(spec: corpus.Spec, count: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, reader, address) for ``count`` requests of each kind and
    reader, interleaved in one seeded order that keeps each kind's own
    order (each of its pages once before any again)."""
    rng = random.Random(f"{seed}:pages")  # noqa: S311 - repeatable order, not security
    turns = {
        (kind.name, reader): in_turn(kind.urls, count, rng)
        for kind in kinds(spec)
        for reader in kind.readers
    }
    slots = [key for key in turns for _ in range(count)]
    rng.shuffle(slots)
    return [(*key, next(turns[key])) for key in slots]


def log_in(client: FlaskClient, email: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    response = client.post("/login", data=form)
    if response.status_code != 302:
        raise SystemExit(f"benchmark login failed: {response.status_code}")


def time_pages(
    app: Flask, loaded: corpus.Loaded, planned: list[tuple[str, str, str]]
) -> dict[tuple[str, str], Sample]:
    """Each request in turn, as its reader; ms by (kind, reader)."""
    clients = {PUBLIC: app.test_client(), MEMBER: app.test_client()}
    log_in(clients[MEMBER], loaded.member_email, loaded.password)
    values: dict[tuple[str, str], list[float]] = {}
    for kind, reader, url in planned:
        began = time.perf_counter()
        response = clients[reader].get(url)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} to the {reader}")
        values.setdefault((kind, reader), []).append(elapsed)
    return {key: Sample(found) for key, found in values.items()}


def report(
    spec: corpus.Spec, samples: dict[tuple[str, str], Sample], planned: list[tuple[str, str, str]]
) -> str:
    distinct: dict[tuple[str, str], set[str]] = {}
    for kind, reader, url in planned:
        distinct.setdefault((kind, reader), set()).add(url)
    lines = [
        f"{spec.series} series of {spec.meetings // spec.series:,} meetings "
        f"({spec.meetings:,} in all), {spec.items_per_meeting} items of notes in each "
        f"({spec.items:,} items of about {spec.words_per_item} words), {spec.people} people; "
        f"load average {os.getloadavg()[0]:.1f}",
        f"{'page':10} {'as':8} {'pages':>6} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'req/s':>7}",
    ]
    for (kind, reader), sample in samples.items():
        lines.append(
            f"{kind:10} {reader:8} {len(distinct[(kind, reader)]):6,} {sample.count:5} "
            f"{sample.p50:8.1f} {sample.p95:8.1f} {sample.p99:8.1f} {sample.max:8.1f} "
            f"{_rate(sample):7.0f}"
        )
    return "\n".join(lines)


def _rate(sample: Sample) -> float:
    return 1000 * sample.count / sum(sample.values)


def figures(samples: dict[tuple[str, str], Sample]) -> Figures:
    found = Figures("pages")
    for (kind, reader), sample in samples.items():
        found.add_sample(f"{kind} / {reader}", sample)
        found.add(f"{kind} / {reader} / requests per second", _rate(sample), "req/s")
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--series", type=options.count(1), default=5)
    parser.add_argument("--meetings", type=options.count(1), default=60, help="meetings per series")
    parser.add_argument("--items", type=options.count(1), default=40, help="items in each meeting")
    parser.add_argument(
        "--words", type=options.count(1), default=80, help="words in an item, about"
    )
    parser.add_argument("--people", type=options.count(1), default=200)
    parser.add_argument(
        "--requests",
        type=options.count(1),
        default=300,
        help="requests of each kind of page, each reader",
    )
    parser.add_argument("--seed", type=int, default=1)
    options.add_json(parser)
    args = parser.parse_args(argv)
    options.check_json(parser, args)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    spec = corpus.Spec(
        items=args.series * args.meetings * args.items,
        items_per_meeting=args.items,
        series=args.series,
        people=args.people,
        words_per_item=args.words,
        seed=args.seed,
    )
    planned = requests(spec, args.requests, args.seed)
    with tempfile.TemporaryDirectory(prefix="nb-pages-") as folder:
        url = os.environ.get(
            "NOTESBASE_BENCH_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        config = {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        app = create_app({**config, "SEARCH_APPLY_ON_COMMIT": False})
        began = time.perf_counter()
        loaded = corpus.load_into(app, spec)
        say(f"loaded {loaded.items:,} items in {time.perf_counter() - began:.1f} s")
        try:
            timed = time_pages(app, loaded, planned)
        finally:
            with app.app_context():
                db.engine.dispose()
    # Reported in the order of ``kinds``, not in the order first timed.
    samples = {(k.name, r): timed[(k.name, r)] for k in kinds(spec) for r in k.readers}
    print(report(spec, samples, planned))
    if args.json is not None:
        figures(samples).write(args.json, options.settings(args))
        print(f"\nfigures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
