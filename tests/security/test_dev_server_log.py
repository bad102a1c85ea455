"""The development server's log (Werkzeug's, under `notesbase run`): its
own colours reach a terminal and nothing else, what a visitor typed stays
escaped, and no line holds a query string."""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import sys
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

SEARCHED = "zorblefax quenthrop"


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(params=[True, False], ids=["terminal", "not-a-terminal"])
def standard_error(request, monkeypatch):
    """Standard error a terminal, or a file: set in the test itself, as
    pytest puts its own capture back when the test starts."""

    def set_up() -> bool:
        monkeypatch.setattr(sys, "stderr", Terminal() if request.param else io.StringIO())
        return request.param

    return set_up


@pytest.fixture
def served(app):
    """The app served by Werkzeug on a loopback port, and the messages of
    what the server logged."""
    logger = logging.getLogger("werkzeug")
    kept, level = Kept(), logger.level
    logger.addHandler(kept)
    logger.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, kept.messages
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        logger.removeHandler(kept)
        logger.setLevel(level)


def raw_request(port: int, target: bytes) -> None:
    """A request line sent as typed, control characters and all."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while connection.recv(65536):
            pass


def test_werkzeugs_colours_pass_to_a_terminal_and_a_visitors_escape_does_not(
    served, standard_error
):
    """A 404 line is yellow on a terminal, plain elsewhere; an escape in the
    path a visitor typed is written as `\\x1b` either way."""
    server, messages = served
    terminal = standard_error()
    raw_request(server.port, b"/nowhere\x1b[2Jcleared")
    server.shutdown()
    (line,) = [message for message in messages if "/nowhere" in message]
    assert "/nowhere\\x1b[2Jcleared" in line
    if terminal:
        assert '"\x1b[33mGET /nowhere' in line
        assert line.count("\x1b") == 2  # Werkzeug's yellow and its reset
    else:
        assert "\x1b" not in line


def test_the_banner_keeps_its_lines_and_colour_only_on_a_terminal(served, standard_error):
    """The start-up warning is red on a terminal, and the addresses after it
    stay on lines of their own."""
    server, messages = served
    terminal = standard_error()
    server.log_startup()
    (banner,) = [message for message in messages if "development server" in message]
    warning, *addresses = banner.split("\n")
    assert addresses and all(line.startswith(" * Running on http") for line in addresses)
    if terminal:
        assert warning.startswith("\x1b[31m\x1b[1mWARNING: This is a development server.")
        assert warning.endswith("\x1b[0m")
    else:
        assert warning.startswith("WARNING: This is a development server.")
        assert "\x1b" not in banner


def test_an_access_line_never_holds_a_query_string(served, standard_error):
    """What a reader searched for is not in the log, whatever the answer or
    however the request line was written."""
    server, messages = served
    standard_error()
    query = SEARCHED.replace(" ", "+")
    for path in (f"/search?q={query}", f"/nowhere?q={query}&x=1", f"/?{query}"):
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=10).close()
    raw_request(server.port, f"/search?q={SEARCHED}".encode())  # a space: a bad request line
    server.shutdown()
    logged = "\n".join(messages)
    for word in SEARCHED.split():
        assert word not in logged
    assert "/search?[redacted] HTTP/1.1" in logged
    assert "/nowhere?[redacted] HTTP/1.1" in logged


def test_other_werkzeug_lines_stay_escaped_on_a_terminal(app, standard_error, caplog):
    """Colour codes anywhere but around Werkzeug's own texts are escaped:
    a visitor's text in an error line cannot colour or clear the terminal."""
    standard_error()
    caplog.set_level(logging.INFO, logger="werkzeug")
    logger = logging.getLogger("werkzeug")
    logger.error("code %d, message %s", 400, "\x1b[31mforged\x1b[0m")
    logger.info("%s", "\x1b[33mline\x1b[0m")
    logger.info("Error on request:\n\x1b[2J * Running on http://evil.example")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "code 400, message \\x1b[31mforged\\x1b[0m",
        "\\x1b[33mline\\x1b[0m",
        "Error on request:\\n\\x1b[2J * Running on http://evil.example",
    ]
