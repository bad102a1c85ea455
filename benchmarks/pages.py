"""Benchmark the main pages on a generated database, kind of page by kind,
the facilitator's writes among them.

    .venv/bin/python benchmarks/pages.py [--series 5] [--meetings 60] [--items 40] ...

Builds a throw-away instance (SQLite, or the empty database named by
NOTESBASE_BENCH_DATABASE_URL) holding the search benchmark's synthetic corpus
(``bench.corpus``): ``--series`` series of ``--meetings`` meetings each,
every meeting with notes of ``--items`` items of about ``--words`` words,
and ``--people`` people whose consents vary by audience and series. For
realistic sizes ask for more: ``--series 3 --meetings 100 --items 200`` is
300 meetings of 200 items. One more series holds ``--leak-meetings``
meetings of ``--leak-items`` items, for the leak check. When writes are
timed, the search index is built and saves apply the outbox after each
commit, as the app does by default.

Then it times ``--requests`` requests of each kind of page through the WSGI
app in process (no network): the public pages as the public and as a member
of every series (the notes as the member only: the public is answered with a
404 there), and as a facilitator the writes (``bench.writes``): create a
meeting, add an item, save a write-up, each through its web form with its
CSRF token and timed to the end of the page it leads to, and the circulate
page, the notes editor and the leak check. Each request asks for a different page where there
are enough of them: meetings and their notes in a seeded order, each visited
once before any is visited again and never twice in a row; series and
topics in turn. All kinds are interleaved in one seeded order. It reports
p50, p95, p99, max, the CPU time of a request and requests per second by
kind, and each figure that has a target beside it; ``--json`` writes
every figure for ``bench.compare``, ``--profile`` the timed requests'
cProfile statistics. Run it before and after a change on the same machine;
compare, do not read the numbers alone: on a shared machine, compare the CPU
figures."""

from __future__ import annotations

import argparse
import cProfile
import gc
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

from bench import corpus, options, say, words, writes
from bench.pages_report import DEFAULT_LONG, LongMeetings, Timed, figures, report
from bench.writes import FACILITATOR
from notesbase import collecting, create_app
from notesbase.db import db
from notesbase.text import slugify

PUBLIC, MEMBER = "public", "member"


@dataclass(frozen=True)
class Kind:
    """A kind of page: its name, the readers it is timed for, every address
    of that kind in the corpus, and its p95 target in ms if it has one."""

    name: str
    readers: tuple[str, ...]
    urls: tuple[str, ...]
    target: float | None = None


# p95 targets in ms of the pages that grow with a series, on 2 cores, for
# a series of 300 meetings and meetings of 500 items
# (``--series 1 --meetings 300 --items 500``).
READ_TARGETS = {"series": 30, "topic": 30, "notes": 60, "editor": 120}


def kinds(spec: corpus.Spec, long: LongMeetings = DEFAULT_LONG) -> list[Kind]:
    """The pages timed, with every address of each in ``spec``'s corpus."""
    meetings = [f"/series/series-{m.series_id}/meetings/{m.number}" for m in corpus.meetings(spec)]
    series = tuple(f"/series/series-{s}" for s in range(1, spec.series + 1))
    checked = [f"/series/series-{spec.series + 1}/meetings/{n}" for n in range(1, long.count + 1)]
    both = (PUBLIC, MEMBER)

    def facilitating(name: str, urls: list[str] | tuple[str, ...], page: str) -> Kind:
        target = writes.target(name, long.items)
        return Kind(name, (FACILITATOR,), tuple(url + page for url in urls), target)

    return [
        Kind("home", both, ("/",)),
        Kind("topics", both, ("/topics/",)),
        Kind("series", both, series, READ_TARGETS["series"]),
        Kind("meeting", both, tuple(meetings)),
        Kind(
            "topic",
            both,
            tuple(f"/topics/{slugify(name)}" for name, _ in words.TOPICS),
            READ_TARGETS["topic"],
        ),
        Kind("notes", (MEMBER,), tuple(f"{url}/notes" for url in meetings), READ_TARGETS["notes"]),
        Kind(
            "editor",
            (FACILITATOR,),
            tuple(f"{url}/notes/edit" for url in meetings),
            READ_TARGETS["editor"],
        ),
        facilitating(writes.NEW_MEETING, series, "/meetings/new"),
        facilitating(writes.ADD_ITEM, meetings, "/notes/edit"),
        facilitating(writes.SAVE_WRITEUP, meetings, "/writeup/edit"),
        facilitating(writes.CIRCULATE, meetings, "/circulate"),
        facilitating(writes.LEAK_CHECK, checked, "/leak-check"),
        facilitating(writes.LEAK_EDITED, checked, "/leak-check"),
        facilitating(writes.OVERRIDE, checked, "/leak-check"),
    ]


def kind_names() -> list[str]:
    return [kind.name for kind in kinds(corpus.Spec(items=1, items_per_meeting=1, series=1))]


def in_turn(urls: tuple[str, ...], count: int, rng: random.Random) -> Iterator[str]:
    """``count`` addresses: each of ``urls`` once, in a seeded order, before
    any comes again, and never the same twice in a row (when there are two
    or more)."""
    given, last = 0, None
    while given < count:
        order = rng.sample(urls, len(urls))
        if len(order) > 1 and order[0] == last:
            order[0], order[-1] = order[-1], order[0]
        for url in order[: count - given]:
            given += 1
            last = url
            yield url


def requests(
    spec: corpus.Spec,
    count: int,
    seed: int,
    long: LongMeetings = DEFAULT_LONG,
    only: frozenset[str] | None = None,
) -> list[tuple[str, str, str]]:
    """(kind, reader, address) for ``count`` requests of each kind (or of
    the kinds named in ``only``) and reader, interleaved in one seeded order
    that keeps each kind's own order (each of its pages once before any
    again)."""
    rng = random.Random(f"{seed}:pages")  # noqa: S311 - repeatable order, not security
    turns = {
        (kind.name, reader): in_turn(kind.urls, count, rng)
        for kind in kinds(spec, long)
        if only is None or kind.name in only
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


def _read(client: FlaskClient, url: str, reader: str) -> writes.Timing:
    response, timing = writes.read_page(client, url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} to the {reader}")
    return timing


def time_pages(
    app: Flask,
    loaded: corpus.Loaded,
    planned: list[tuple[str, str, str]],
    profile: cProfile.Profile | None = None,
) -> Timed:
    """Each request in turn, as its reader."""
    clients = {reader: app.test_client() for reader in (PUBLIC, MEMBER, FACILITATOR)}
    log_in(clients[MEMBER], loaded.member_email, loaded.password)
    facilitator = None
    if any(reader == FACILITATOR for _, reader, _ in planned):
        log_in(clients[FACILITATOR], writes.FACILITATOR_EMAIL, loaded.password)
        facilitator = writes.Facilitator(
            clients[FACILITATOR],
            loaded.spec,
            loaded.spec.seed,
            forget=lambda: writes.forget_checks(app),
        )
    timed = Timed()
    # What loading left is frozen out of the collector's passes, and full
    # passes wait for replies, as in a served worker (``notesbase serve``).
    gc.collect()
    gc.freeze()
    collecting.between_requests()
    if profile is not None:
        profile.enable()
    try:
        for kind, reader, url in planned:
            if facilitator is not None and reader == FACILITATOR:
                timing = facilitator.timed(kind, url)
            else:
                timing = _read(clients[reader], url, reader)
            timed.add((kind, reader), timing)
    finally:
        if profile is not None:
            profile.disable()
        collecting.as_before()
        gc.unfreeze()
    return timed


def _kind_list(text: str) -> frozenset[str]:
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(names - set(kind_names()))
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown kind {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(kind_names())}"
        )
    return names


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
    parser.add_argument(
        "--leak-meetings",
        type=options.count(1),
        default=LongMeetings.count,
        help="meetings the leak check is timed on",
    )
    parser.add_argument(
        "--leak-items",
        type=options.count(1),
        default=LongMeetings.items,
        help="items in each meeting the leak check is timed on",
    )
    parser.add_argument(
        "--kinds",
        type=_kind_list,
        help=f"time only these kinds of page, comma-separated ({', '.join(kind_names())})",
    )
    parser.add_argument("--seed", type=int, default=1)
    options.add_json(parser)
    parser.add_argument(
        "--profile", type=Path, help="write the timed requests' cProfile statistics to this file"
    )
    args = parser.parse_args(argv)
    options.check_json(parser, args)
    if args.profile is not None and (args.profile.is_dir() or not args.profile.parent.is_dir()):
        parser.error(f"--profile {args.profile}: not a file in an existing folder")
    return args


def prepare(app: Flask, spec: corpus.Spec, long: LongMeetings, facilitating: bool) -> corpus.Loaded:
    """Load the corpus; for the facilitator, also the leak check's
    meetings, a facilitator's account and the search index, and from then
    on apply the search outbox after each commit (the app's default)."""
    from notesbase.search import indexer

    began = time.perf_counter()
    loaded = corpus.load_into(app, spec)
    say(f"loaded {loaded.items:,} items in {time.perf_counter() - began:.1f} s")
    if facilitating:
        writes.add_long_meetings(app, spec, long.count, long.items)
        writes.add_facilitator(app, loaded.password)
        began = time.perf_counter()
        documents = indexer.rebuild(app)
        say(f"indexed {documents:,} documents in {time.perf_counter() - began:.1f} s")
        app.config["SEARCH_APPLY_ON_COMMIT"] = True
    return loaded


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
    long = LongMeetings(args.leak_meetings, args.leak_items)
    planned = requests(spec, args.requests, args.seed, long, args.kinds)
    facilitating = any(reader == FACILITATOR for _, reader, _ in planned)
    targets = {k.name: k.target for k in kinds(spec, long) if k.target is not None}
    profile = cProfile.Profile() if args.profile is not None else None
    with tempfile.TemporaryDirectory(prefix="nb-pages-") as folder:
        url = os.environ.get(
            "NOTESBASE_BENCH_DATABASE_URL", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        config = {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"}
        app = create_app({**config, "SEARCH_APPLY_ON_COMMIT": False})
        loaded = prepare(app, spec, long, facilitating)
        try:
            timed = time_pages(app, loaded, planned, profile)
        finally:
            from notesbase.search import background

            background.wait_for_merges(timeout=30)
            with app.app_context():
                db.engine.dispose()
    # Reported in the order of ``kinds``, not in the order first timed.
    order = [(k.name, r) for k in kinds(spec, long) for r in k.readers]
    timed = Timed(
        **{
            name: {key: figures_by_key[key] for key in order if key in figures_by_key}
            for name, figures_by_key in vars(timed).items()
        }
    )
    print(report(spec, timed, planned, targets, long))
    if args.json is not None:
        figures(timed, targets).write(args.json, options.settings(args))
        print(f"\nfigures written to {args.json}", file=sys.stderr)
    if profile is not None and args.profile is not None:
        profile.dump_stats(args.profile)
        print(f"profile written to {args.profile}", file=sys.stderr)


if __name__ == "__main__":
    main()
