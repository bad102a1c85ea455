"""The production entry point: ``notesbase serve`` runs the app under
gunicorn with several worker processes.

Each worker builds its own app after the fork (gunicorn's ``preload_app`` is
off), so no database connection, engine pool or Redis client is ever shared
between processes; the master only imports the code, which the workers then
share copy-on-write.

Before gunicorn listens, a short-lived child of the master builds the app
once and applies the search outbox (``catch_up_index``): index work that a
killed server committed but never applied is in the index before the first
request, and the master itself keeps no app, connection or open index."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask

from notesbase import collecting
from notesbase.site import ConfigError, configured_base_url, record_served_at, served_address

log = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:8000"
# Seconds a worker may spend on one request before gunicorn kills and replaces it.
DEFAULT_TIMEOUT = 30
GUNICORN_MISSING = (
    "gunicorn is not installed: install the server extra "
    "(pip install 'notesbase[server]'), or use `notesbase run` for development."
)


def default_workers() -> int:
    """gunicorn's advice: two workers per CPU core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class ServeOptions:
    workers: int
    bind: str = DEFAULT_BIND
    timeout: int = DEFAULT_TIMEOUT
    threads: int = 1

    def gunicorn_settings(self) -> dict[str, Any]:
        """The gunicorn settings these options stand for."""
        return {
            "bind": [self.bind],
            "workers": self.workers,
            # One request at a time per worker, unless threads are asked for.
            "worker_class": "gthread" if self.threads > 1 else "sync",
            "threads": self.threads,
            "timeout": self.timeout,
            "graceful_timeout": self.timeout,
            "preload_app": False,
            # Errors to stderr; no access log, whose query strings may hold
            # what a reader searched for.
            "errorlog": "-",
            "accesslog": None,
            "proc_name": "notesbase",
            # gunicorn 25.1+ opens one control socket per user by default;
            # two servers on one machine would fight over it.
            "control_socket_disable": True,
        }


def bind_address(bind: str) -> str | None:
    """The address a browser on this machine reaches ``--bind`` at (None
    for a Unix socket or an inherited descriptor)."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, separator, port = bind.rpartition(":")
    if not separator or not port.isdigit() or "]" in port:
        host, port = bind, "8000"  # gunicorn's own default port
    return served_address(host.strip("[]") if host.startswith("[") else host, port)


def catch_up_index(app: Flask) -> int:
    """Apply the search outbox rows a killed process committed but never
    applied, before the first request; how many. Never keeps the server from
    starting: a busy or missing index is left to the first request, which
    repairs it, and a failure is logged."""
    from notesbase.search import indexer
    from notesbase.search.engine import LockTimeout

    try:
        applied = indexer.catch_up(app)
    except LockTimeout:
        log.info("search index busy at start-up; its writer applies the outbox")
        return 0
    except Exception:
        log.exception("could not apply the search outbox at start-up")
        return 0
    if applied:
        log.info("applied %d search outbox rows left by an earlier process", applied)
    return applied


def _start_up(factory: Callable[[], Flask], address: str | None) -> None:
    """In a child process, so the master stays free of app state: build the
    app, check its settings and catch up the index. Raises RuntimeError
    (gunicorn's way to stop with a message) when the app cannot start."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        code = 0
        try:
            app = factory()
            record_served_at(app, address)
            # The word lists and the canonical letters the disclosure rule
            # reads names in: before gc.freeze, as the app.
            from notesbase.disclosure import words

            words.warm()
            if configured_base_url(app) is None:
                print(
                    "notesbase: BASE_URL is not set: links, calendar UIDs and feed ids use"
                    f" {address or 'http://localhost'}; set NOTESBASE_BASE_URL to the site's"
                    " public address",
                    file=sys.stderr,
                )
            catch_up_index(app)
        except ConfigError as error:
            print(f"notesbase: {error}", file=sys.stderr)
            code = 2
        except BaseException:
            log.exception("the app could not start")
            code = 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 2:
        raise RuntimeError("the configuration is wrong (see the message above)")


def gunicorn_application(options: ServeOptions, factory: Callable[[], Flask]) -> Any:
    """A gunicorn application that calls ``factory`` once in each worker;
    ``click.ClickException`` when gunicorn is not installed."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise click.ClickException(GUNICORN_MISSING) from None

    address = bind_address(options.bind)

    def on_starting(arbiter: Any) -> None:
        _start_up(factory, address)

    class NotesbaseApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in options.gunicorn_settings().items():
                if name in self.cfg.settings:  # older gunicorns lack newer settings
                    self.cfg.set(name, value)
            # Before the master listens: nothing can be asked before it is done.
            self.cfg.set("on_starting", on_starting)

        def load(self) -> Flask:
            app = factory()
            record_served_at(app, address)
            # The word lists and the canonical letters the disclosure rule
            # reads names in: before gc.freeze, as the app.
            from notesbase import templating
            from notesbase.disclosure import words

            words.warm()
            # What the worker holds from here on (modules, the app, its
            # configuration) lives as long as the worker: left out of the
            # garbage collector's passes, which otherwise walk all of it
            # again and again during requests. Frozen before anything more
            # is made, so that no pass touches (and so copies) the pages the
            # worker shares with the process it was forked from.
            gc.freeze()
            # Every page's template, compiled once for the worker's life.
            templating.compile_templates(app)
            gc.freeze()
            collecting.between_requests()
            # The search index is read now, not during the worker's first
            # search, and so is what its re-check needs first.
            from notesbase.search import documents, indexer

            indexer.warm(app)
            documents.warm_rechecks(app)
            return app

    return NotesbaseApplication(prog="notesbase serve")


@click.command("serve")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=default_workers,
    show_default="2 per CPU core + 1",
    help="Worker processes.",
)
@click.option(
    "--bind",
    default=DEFAULT_BIND,
    show_default=True,
    help="HOST:PORT (or unix:PATH) to listen on.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a request may take before its worker is restarted.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Threads per worker; more than 1 uses gunicorn's gthread workers.",
)
def serve_command(workers: int, bind: str, timeout: int, threads: int) -> None:
    """Serve the app with gunicorn (several worker processes)."""
    from notesbase import create_app

    options = ServeOptions(workers=workers, bind=bind, timeout=timeout, threads=threads)
    application = gunicorn_application(options, create_app)
    click.echo(
        f"notesbase: serving on {bind} with {workers} worker(s)"
        + (f", {threads} threads each" if threads > 1 else ""),
        err=True,
    )
    application.run()
