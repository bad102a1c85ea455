"""On a Whoosh other than the one ``whoosh_internals`` was written for, the
app reads and writes its index through Whoosh's public API only, says so in
one line at start-up, and answers every search exactly as the fast path
does: the same hits in the same order, the same totals, pages, topic counts
and snippets, for every reader."""

from __future__ import annotations

import ast
import logging
import random
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import Item, Member
from notesbase.notes import items as item_service
from notesbase.search import checking, context, indexer, rebuilding, service, whoosh_internals
from notesbase.search.engine import Document, Engine, EngineResults
from notesbase.search.query import Filters, QueryError, parse
from notesbase.search.request import Access, SearchRequest
from tests.conftest import build_app as _build_app
from tests.search import procs_support
from tests.search import search_support as s

ROOT = Path(__file__).resolve().parents[2]
LOGGER = "notesbase.search.indexer"


def test_the_installed_whoosh_is_the_one_the_internals_were_written_for():
    """The pinned whoosh-reloaded is the version ``whoosh_internals`` names:
    moving the pin without reading the internals again fails here."""
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [
        r for r in pinned["project"]["dependencies"] if r.startswith("whoosh-reloaded")
    ]
    assert requirement == f"whoosh-reloaded=={whoosh_internals.WRITTEN_FOR}"
    assert whoosh_internals.installed_version() == f"whoosh-reloaded {requirement[17:]}"
    assert whoosh_internals.supported()


# -- the planted world, searched both ways ---------------------------------------------

READERS = {
    "public": None,
    "member": "member@example.org",
    "other": "other@example.org",
    "facilitator": "facilitator@example.org",
    "inactive": "inactive@example.org",
}
# (text, filters, by date) searched at pages 1 to 3 of two hits each.
SEARCHES: list[tuple[str, Filters | None, bool]] = [
    ("plant*", None, False),
    ("plant*", None, True),
    ("gathering", None, False),
    ("gathering", Filters(series=("cop",)), False),
    ("kickoff OR elsewhere", None, False),
    ('"kickoff gathering"', None, False),
    (s.OPEN_WORD, None, False),
    ("xylia OR hesper OR oswin", None, False),
    ("plant* -plantmention", None, False),
    ("topic:open-data", None, True),
    ("kind:point plant*", None, False),
    ("meeting:1 gathering", None, False),
    ("plant*", Filters(topics=("health-data",)), False),
    ("plant*", Filters(date_from=date(2025, 2, 1)), False),
]


@pytest.fixture
def build_app() -> Iterator[Callable[..., Flask]]:
    """``tests.conftest.build_app``, each app's database connections closed
    when the test ends (on PostgreSQL an open one is an error at exit)."""
    made: list[Flask] = []

    def build(*args: Any, **config: Any) -> Flask:
        app = _build_app(*args, **config)
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _answers(app: Flask, engine: Engine) -> dict[tuple[Any, ...], Any]:
    """Every reader's answer to every search, with ``engine`` as the app's."""
    app.extensions[context.EXTENSION] = engine
    found: dict[tuple[Any, ...], Any] = {}
    with app.app_context():
        for reader, email in READERS.items():
            member = (
                db.session.scalar(sa.select(Member).where(Member.email == email)) if email else None
            )
            for text, filters, by_date in SEARCHES:
                for page in (1, 2, 3):
                    key = (reader, text, filters, by_date, page)
                    try:
                        result = service.search(
                            member, text, filters, page=page, by_date=by_date, per_page=2
                        )
                    except QueryError as error:
                        found[key] = str(error)
                        continue
                    found[key] = (
                        result.total,
                        result.pages,
                        [
                            (h.doctype, h.meeting.id, h.item_id, h.kind, str(h.snippet))
                            for h in result.hits
                        ],
                        [(topic.slug, count) for topic, count in result.topic_counts],
                    )
    return found


def _compare_both_ways(app: Flask) -> dict[tuple[Any, ...], Any]:
    """The answers through Whoosh's public API, checked equal to the fast
    path's over the same index files."""
    root = indexer.engine_for(app).root
    fast = _answers(app, Engine(root, internals=True))
    public = _answers(app, Engine(root, internals=False))
    assert public.keys() == fast.keys()
    differ = [key for key in fast if public[key] != fast[key]]
    assert not differ, [(key, fast[key], public[key]) for key in differ[:3]]
    return fast


@pytest.fixture(params=[True, False], ids=["written fast", "written through the public API"])
def app_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"SEARCH_WHOOSH_INTERNALS": request.param}


def test_the_fallback_answers_the_planted_world_as_the_fast_path_does(
    app, make_member, make_series, app_config
):
    """Over the planted world (written either way, with deleted documents
    left in its segments by later edits), every reader's search answers
    the same through Whoosh's public API as through its internals: hits,
    order, snippets, totals, pages and topic counts."""
    assert indexer.engine_for(app).internals is app_config["SEARCH_WHOOSH_INTERNALS"]
    world = s.build_world(app, make_member, make_series)
    s.edit_item(app, world.ids["mem"], confidentiality=Confidentiality.CONFIDENTIAL)
    s.edit_item(app, world.ids["other"], body=f"Over there {s.OTHER_WORD} again, {s.MENTION}.")
    with app.app_context():
        item_service.delete_item(db.session.get(Item, world.ids["gone"]), actor=None)
        db.session.commit()
    assert any(seg.source.deleted_count for seg in indexer.engine_for(app).segments())
    answers = _compare_both_ways(app)
    shown = [answer for answer in answers.values() if not isinstance(answer, str)]
    assert sum(len(hits) for _, _, hits, _ in shown) > 100  # the searches find things
    assert any(page > 1 and hits for (_, _, _, _, page), (_, _, hits, _) in _pages(answers))
    assert checking.check(app).ok


def _pages(answers: dict[tuple[Any, ...], Any]) -> Iterable[tuple[tuple[Any, ...], Any]]:
    return ((key, answer) for key, answer in answers.items() if not isinstance(answer, str))


# -- another Whoosh at start-up ------------------------------------------------------


def _no_workers(*_args: Any) -> Any:
    raise AssertionError("Whoosh's public writer holds its lock: no rebuild workers")


def test_another_whoosh_falls_back_to_the_public_api_with_one_line(
    build_app, tmp_path, suite_postgres, monkeypatch, caplog
):
    """Started on another whoosh-reloaded, the app says so once, writes and
    reads through the public API (a rebuild in one process, saves, a
    write-up), and finds what the fast path finds."""
    monkeypatch.setattr(whoosh_internals, "installed_version", lambda: "whoosh-reloaded 2.8.0")
    # Enough items for two processes, were the rebuild's segments written apart.
    monkeypatch.setattr(rebuilding, "ITEMS_PER_WORKER", 1)
    monkeypatch.setattr(rebuilding, "_in_workers", _no_workers)
    caplog.set_level(logging.INFO, logger=LOGGER)
    app = build_app(tmp_path, suite_postgres, SEARCH_REBUILD_PROCESSES=2)
    engine = indexer.engine_for(app)
    assert not engine.internals and not engine.writer.parallel_segments
    procs_support.build_world(app)
    with app.app_context():
        for text in ("open data", "councils", "health", "records OR business"):
            assert service.search(None, text).total >= 1, text
    indexer.rebuild(app)
    assert checking.check(app).ok
    said = [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]
    assert len(said) == 1, [r.getMessage() for r in said]
    line = said[0].getMessage()
    assert "whoosh-reloaded 2.8.0" in line and "whoosh-reloaded 2.7.5" in line
    assert "public API" in line
    assert _compare_both_ways(app)


def test_the_setting_turns_the_internals_off_and_says_so(
    build_app, tmp_path, suite_postgres, caplog
):
    """``SEARCH_WHOOSH_INTERNALS = False`` reads and writes through the
    public API on the very version the internals were written for, and
    says so once."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    app = build_app(tmp_path, suite_postgres, SEARCH_WHOOSH_INTERNALS=False)
    assert not indexer.engine_for(app).internals
    said = [r for r in caplog.records if r.name == LOGGER and "Whoosh" in r.getMessage()]
    assert [r.levelname for r in said] == ["INFO"]
    assert "SEARCH_WHOOSH_INTERNALS is off" in said[0].getMessage()


def test_the_supported_version_says_nothing(build_app, tmp_path, suite_postgres, caplog):
    """On the version the internals were written for, start-up is silent
    about Whoosh and uses them."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    app = build_app(tmp_path, suite_postgres)
    assert indexer.engine_for(app).internals
    assert not [r for r in caplog.records if re.search("Whoosh|whoosh", r.getMessage())]


# -- the engine alone: many documents, many saves, every reader --------------------------

WORDS = [
    "budget",
    "housing",
    "river",
    "library",
    "transport",
    "council",
    "data",
    "trust",
    "public",
    "sharing",
    "records",
    "health",
    "open",
    "spending",
    "ledger",
]
TITLES = ("budget round", "river gathering", "library forum", "data day")
TOPICS = ("open-data", "health-data", "climate")
ENGINE_READERS = {
    "public": Access(()),
    "member of one series": Access(((1, "member"),)),
    "member of both": Access(((1, "member"), (2, "member"))),
    "facilitator of one": Access(((2, "facilitator"),)),
    "facilitator of both": Access(((1, "facilitator"), (2, "facilitator"))),
}
ENGINE_QUERIES = [
    ("data", Filters()),
    ("public trust", Filters()),
    ('"data sharing"', Filters()),
    ("river OR library", Filters()),
    ("data -trust", Filters()),
    ("hou* OR spen*", Filters()),
    ("records", Filters(topics=("health-data",))),
    ("council", Filters(kinds=("point", "meeting"))),
    ("budget", Filters(number_from=2, number_to=3)),
    ("ledger", Filters(series=("2",))),
    ("", Filters(topics=("open-data",))),
]


def _document(rng: random.Random, number: int, version: int) -> Document:
    series, meeting = 1 + number % 2, 1 + number % 4
    audiences = rng.choice([("member", "facilitator"), ("facilitator",), ("member",)])
    return Document(
        doc_id=f"item:{number}:{'+'.join(audiences)}",
        key=f"item:{number}",
        doctype="item",
        target=number,
        audiences=audiences,
        series=series,
        meeting=series * 100 + meeting,
        number=meeting,
        day=date(2025, 1, meeting).toordinal(),
        topics=tuple(rng.sample(TOPICS, rng.randint(0, 2))),
        kind=rng.choice(("point", "quote", "action")),
        version=version,
        fingerprint="-",
        title=TITLES[meeting - 1],
        text=" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40))),
    )


def _meeting(series: int, meeting: int) -> Document:
    return Document(
        doc_id=f"meeting:{series * 100 + meeting}",
        key=f"meeting:{series * 100 + meeting}",
        doctype="meeting",
        target=series * 100 + meeting,
        audiences=("public", "member", "facilitator"),
        series=series,
        meeting=series * 100 + meeting,
        number=meeting,
        day=date(2025, 1, meeting).toordinal(),
        topics=(TOPICS[meeting % 3],),
        kind="meeting",
        version=0,
        fingerprint="-",
        title=TITLES[meeting - 1],
        # The fourth meeting's details have no text (a length Whoosh's public
        # reader gives as None).
        text="" if meeting == 4 else "the council discussed public data and trust",
    )


def _saves() -> list[tuple[list[tuple[str, str]], list[Document]]]:
    """A first save of many documents, then saves that replace some (their
    old documents stay in their segments, deleted) and one that only deletes."""
    rng = random.Random(21)  # noqa: S311 - test data, not secrets
    first = [_document(rng, n, 1) for n in range(1, 121)]
    first += [_meeting(series, meeting) for series in (1, 2) for meeting in (1, 2, 3, 4)]
    saves = [([], first)]
    for version in range(2, 8):
        again = [_document(rng, n, version) for n in rng.sample(range(1, 141), 12)]
        saves.append(([("key", d.key) for d in again], again))
    saves.append(([("key", "item:5"), ("scope", "meeting:203")], []))
    return saves


def _index(root: Path, *, internals: bool) -> Engine:
    engine = Engine(root, internals=internals)
    path = engine.new_generation()
    engine.switch_to(path)
    with engine.writer_lock():
        for replace, documents in _saves():
            engine.write(path, replace, documents)
    return engine


def _seen(results: EngineResults) -> tuple[Any, ...]:
    return (
        results.total,
        [doc.doc_id for doc in results.docs],
        results.topic_counts,
        sorted(results.terms),
    )


def test_the_fallback_ranks_and_counts_as_the_fast_path_does(tmp_path):
    """Over an index of several segments with deleted documents, written
    through the internals or through the public API, both ways of reading
    give every reader the same pages, order, totals and topic counts (by
    score and by date, with stale documents left out)."""
    written = {
        "fast": _index(tmp_path / "fast", internals=True),
        "public": _index(tmp_path / "public", internals=False),
    }
    assert len(written["public"].segments()) == len(written["fast"].segments()) > 5
    readings = {
        (name, internals): Engine(engine.root, internals=internals)
        for name, engine in written.items()
        for internals in (True, False)
    }
    stale = frozenset({"item:7", "item:8"})
    checked = 0
    for reader, access in ENGINE_READERS.items():
        for text, filters in ENGINE_QUERIES:
            for by_date in (False, True):
                for page in (1, 2, 3):
                    request = SearchRequest(
                        parse(text, filters), access, page=page, per_page=7, by_date=by_date
                    )
                    for asked in (request, replace(request, stale_keys=stale)):
                        answers = {way: _seen(e.search(asked)) for way, e in readings.items()}
                        assert len(set(map(repr, answers.values()))) == 1, (reader, text, answers)
                    checked += len(answers["fast", True][1])
    assert checked > 500


# -- where Whoosh is reached ------------------------------------------------------------

ENGINE_MODULES = {
    "analysis",
    "engine",
    "reading",
    "schema",
    "storage",
    "whoosh_internals",
    "whoosh_internals.mapped",
    "whoosh_internals.packing",
    "whoosh_internals.postings",
    "whoosh_internals.purge",
    "whoosh_public",
    "writing",
}


def _whoosh_imports() -> dict[str, set[str]]:
    """Each module of the package that imports Whoosh, anywhere in it, and
    the Whoosh modules it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "notesbase").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name == "whoosh" or name.startswith("whoosh."):
                    found.setdefault(module, set()).add(name)
    return found


def test_only_the_engines_modules_import_whoosh_and_only_one_its_codec():
    """What ``notesbase.search`` says of itself: only the engine's modules
    import Whoosh, and its codec (where the private block reading lives)
    only the ``whoosh_internals`` package."""
    found = _whoosh_imports()
    assert set(found) == {f"notesbase.search.{name}" for name in ENGINE_MODULES}
    codec = {module for module, names in found.items() if any("codec" in n for n in names)}
    assert codec == {
        "notesbase.search.whoosh_internals",
        "notesbase.search.whoosh_internals.postings",
        "notesbase.search.whoosh_internals.purge",
    }
