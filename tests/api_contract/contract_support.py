"""The contract run's world and live server: the JSON API tests' world
(two series, notes with confidential items and a redacted span, people with
consent, a token for each kind of caller) plus a published write-up, served
by the test's own app on a loopback port; and the checks every answer is
held to."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from flask import Flask
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from notesbase.db import db
from notesbase.models import Meeting
from notesbase.publishing.writeups.service import publish_writeup, save_writeup
from tests.api.api_support import World, build_world

HOST = "127.0.0.1"

# A live server takes no shortcut a test app would: errors are handled as in
# production (not propagated). Limits stay on but high, so a thousand
# generated searches cannot make the run flaky.
LIVE_CONFIG = {"TESTING": False, "SEARCH_RATE_LIMIT": "100000 per minute"}
# What every answer is checked for: no server error, and inside the document.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def seed(app: Flask, make_member: Any, make_series: Any) -> World:
    """The API tests' world, and a published write-up of cop's first meeting."""
    world = build_world(app, make_member, make_series)
    with app.app_context():
        meeting = db.session.get(Meeting, world.ids["meeting"])
        assert meeting is not None
        save_writeup(
            meeting,
            "We agreed to **publish** the data.",
            [world.ids["open"]],
            actor=None,
            expected_version=None,
        )
        publish_writeup(meeting, actor=None)
        db.session.commit()
    return world


class QuietHandler(WSGIRequestHandler):
    """No access log: thousands of generated requests would bury a failure."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextlib.contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port, one request at a time (so a
    seeded run is reproducible); yield its base URL; stop it."""
    server = make_server(HOST, 0, app, threaded=False, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
