"""Index work a killed process committed but never applied (outbox rows
left pending) is in the search index when a restarted server starts
listening: before any request, with ``notesbase serve`` (gunicorn) and with
``notesbase run``. And the development server knows its own address, so
``make run`` needs no BASE_URL and still never writes the Host header into
ids.

Runs on the suite's database: SQLite, or PostgreSQL when
``NOTESBASE_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from icalendar import Calendar

from notesbase.db import db
from notesbase.models import IndexOutbox, Item
from notesbase.notes import items as item_service
from notesbase.search import backlog, checking, context, indexer
from tests.faults.server_support import server_env
from tests.search.procs_support import build_world, item_fields
from tests.support.loopback_support import free_port

NOTESBASE = Path(sys.executable).with_name("notesbase")
UP_TIMEOUT = 60
WORD = "quillwort"


@pytest.fixture
def app_config():
    # Commits leave their outbox rows for someone else to apply, as a
    # process killed between its commit and its index write does.
    return {"SEARCH_APPLY_ON_COMMIT": False}


def leave_outbox_rows_pending(app: Flask) -> int:
    """An index, then three saves committed and never applied; how many rows wait."""
    world = build_world(app)
    indexer.apply(app)
    with app.app_context():
        for item_id in world.items[:3]:
            item = db.session.get(Item, item_id)
            assert item is not None
            body = f"{WORD} survey {item_id}"
            item_service.update_item(item, item_fields(item, body=body), actor=None)
            db.session.commit()
        waiting = db.session.query(IndexOutbox).count()
    assert backlog.pending(app)
    assert not checking.check(app).ok  # stale documents: the index is behind
    return waiting


def wait_listening(port: int, process: subprocess.Popen | None = None) -> None:
    """Until the port takes a connection; nothing is sent on it (no request)."""
    deadline = time.monotonic() + UP_TIMEOUT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the server stopped (exit {process.returncode})") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listened on port {port}") from None
            time.sleep(0.05)


def index_as_found(app: Flask) -> checking.CheckReport:
    """The index as it is on disk now, read afresh (as a new process would)."""
    app.extensions.pop(context.EXTENSION, None)
    report = checking.check(app)
    assert not backlog.pending(app)
    return report


def test_serve_applies_the_outbox_before_it_listens(app, zygote):
    """gunicorn (two workers): once the port takes connections, before any
    request, the index holds every committed change."""
    leave_outbox_rows_pending(app)
    env = server_env(Path(app.instance_path), app.config["DATABASE_URL"])
    server = zygote.start(env, workers=2)
    try:
        wait_listening(server.port)
        report = index_as_found(app)
        assert report.ok and report.pending == 0, report
    finally:
        server.kill()


def test_run_applies_the_outbox_and_knows_its_address(app, tmp_path):
    """``notesbase run``: the index is up to date before the first request;
    with no BASE_URL, links and UIDs use the address it listens on, whatever
    Host a request names."""
    if not NOTESBASE.exists():
        pytest.fail(f"the notesbase console script is not installed beside {sys.executable}")
    leave_outbox_rows_pending(app)
    with app.app_context():
        from notesbase.models import Meeting

        meeting_id = db.session.query(Meeting.id).order_by(Meeting.id).first()[0]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env.update(server_env(Path(app.instance_path), app.config["DATABASE_URL"]))
    log = (tmp_path / "run.log").open("w")
    server = subprocess.Popen(
        [str(NOTESBASE), "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, server)
        report = index_as_found(app)
        assert report.ok and report.pending == 0, report
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/calendar.ics", headers={"Host": "evil.example"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status == 200
        events = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
        event = events[f"meeting-{meeting_id}@127.0.0.1"]
        assert str(event["url"]).startswith(f"http://127.0.0.1:{port}/series/")
        assert b"evil.example" not in body
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
