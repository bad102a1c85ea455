"""``notesbase serve``: its options, the gunicorn settings they become, one
app per worker, and a clear message without gunicorn. (The live servers of
``test_load`` and ``test_rate_limits`` run it for real.)"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from notesbase import collecting
from notesbase.db import db
from notesbase.serving import GUNICORN_MISSING, ServeOptions, gunicorn_application


@pytest.fixture(autouse=True)
def as_a_test_process() -> Iterator[None]:
    """A worker's ``load()`` freezes what the process holds and leaves full
    collections until replies (``collecting``): undone for the tests after."""
    yield
    collecting.as_before()
    gc.unfreeze()


def test_load_leaves_full_collections_until_replies(app):
    from notesbase import create_app

    config = {
        key: app.config[key] for key in ("SECRET_KEY", "INSTANCE_PATH", "DATABASE_URL", "TESTING")
    }
    built = gunicorn_application(ServeOptions(workers=2), lambda: create_app(config)).load()
    assert gc.get_threshold()[2] == collecting.FULL_WITHIN
    assert collecting._enabled
    with built.app_context():
        db.engine.dispose()


def test_help_names_every_option_and_its_default(runner):
    """The options and their defaults are documented in --help."""
    result = runner.invoke(args=["serve", "--help"])
    assert result.exit_code == 0, result.output
    for text in ("--workers", "2 per CPU core + 1", "--bind", "127.0.0.1:8000"):
        assert text in result.output
    for text in ("--timeout", "default: 30", "--threads", "gthread"):
        assert text in result.output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--workers", "0"], "--workers"),
        (["--threads", "0"], "--threads"),
        (["--timeout", "x"], ""),
    ],
)
def test_bad_options_are_refused_plainly(runner, args, problem):
    """Nonsense values end with a usage error naming the option, not a traceback."""
    result = runner.invoke(args=["serve", *args])
    assert result.exit_code == 2
    assert problem in result.output and "Traceback" not in result.output


def test_options_become_gunicorn_settings():
    """Workers, address, timeout; threads switch to gthread workers; the app
    is never preloaded into the master, and no control socket is shared."""
    calls = []

    def factory():
        calls.append(1)
        return object()

    options = ServeOptions(workers=3, bind="127.0.0.1:9123", timeout=12, threads=4)
    cfg = gunicorn_application(options, factory).cfg
    assert (cfg.workers, cfg.bind, cfg.timeout, cfg.threads) == (3, ["127.0.0.1:9123"], 12, 4)
    assert cfg.worker_class_str == "gthread"
    assert cfg.preload_app is False
    assert calls == []  # nothing built in the master
    if "control_socket_disable" in cfg.settings:
        assert cfg.control_socket_disable is True
    single = gunicorn_application(ServeOptions(workers=1), factory).cfg
    assert single.worker_class_str == "sync"


def test_each_worker_builds_its_own_app(app):
    """load() (called once in each worker, after the fork) makes a new app with
    its own database engine: nothing is shared across processes."""
    from notesbase import create_app

    config = {
        key: app.config[key] for key in ("SECRET_KEY", "INSTANCE_PATH", "DATABASE_URL", "TESTING")
    }
    application = gunicorn_application(ServeOptions(workers=2), lambda: create_app(config))
    first, second = application.load(), application.load()
    assert first is not second
    engines = []
    for built in (first, second):
        with built.app_context():
            engines.append(db.engine)
            db.engine.dispose()
    assert engines[0] is not engines[1]


def test_each_worker_reads_the_search_index_before_its_first_request(app, monkeypatch):
    """load() warms the worker's own app's search index (``indexer.warm``)
    and the search re-check's matchers (``documents.warm_rechecks``), and
    compiles the templates (once what the process holds is frozen), so the
    first requests a worker answers are not the slow ones."""
    from notesbase import create_app, templating
    from notesbase.search import documents, indexer

    warmed: list[tuple[str, object, bool]] = []

    def noting(name):  # type: ignore[no-untyped-def]
        return lambda built: warmed.append((name, built, gc.get_freeze_count() > 0)) or 1

    monkeypatch.setattr(indexer, "warm", noting("index"))
    monkeypatch.setattr(documents, "warm_rechecks", noting("rechecks"))
    monkeypatch.setattr(templating, "compile_templates", noting("templates"))
    config = {
        key: app.config[key] for key in ("SECRET_KEY", "INSTANCE_PATH", "DATABASE_URL", "TESTING")
    }
    built = gunicorn_application(ServeOptions(workers=2), lambda: create_app(config)).load()
    assert warmed == [("templates", built, True), ("index", built, True), ("rechecks", built, True)]
    with built.app_context():
        db.engine.dispose()


def test_without_gunicorn_the_message_says_what_to_install(runner, monkeypatch):
    """gunicorn is the ``server`` extra: without it, one line saying so."""
    for name in [m for m in sys.modules if m == "gunicorn" or m.startswith("gunicorn.")] + [
        "gunicorn"
    ]:
        monkeypatch.setitem(sys.modules, name, None)
    result = runner.invoke(args=["serve", "--workers", "1"])
    assert result.exit_code == 1
    assert GUNICORN_MISSING in result.output
    assert "notesbase[server]" in result.output and "Traceback" not in result.output
