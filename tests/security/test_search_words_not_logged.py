"""What a reader searched for reaches no log line of either server: the
development server (`notesbase run`, Werkzeug's access log with query
strings left out) and `notesbase serve` (gunicorn, no access log). Each is
started as a real process on a demo database, searched every way a reader
can (the page, suggestions, the API as the public and as a member, bad
queries, a malformed request line, a logged-in member) and stopped; then
everything it wrote is read back."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.loopback_support import free_port

NOTESBASE = Path(sys.executable).with_name("notesbase")
# Words no page, migration or log message holds, and a word the demo notes do.
SEARCHED = ("zorblefax", "quenthrop", "snickerwhit")
FOUND = "housing"
UP_TIMEOUT = 60


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    env.update(
        NOTESBASE_INSTANCE_PATH=str(instance),
        NOTESBASE_SECRET_KEY="search-log-test",
        NOTESBASE_PASSWORD_HASH_TIME_COST="1",
        NOTESBASE_PASSWORD_HASH_MEMORY_COST="64",
    )
    return env


def _command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(NOTESBASE), *args],
        env=env,
        cwd=env["NOTESBASE_INSTANCE_PATH"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[dict[str, str], str, str]:
    """A demo database: its environment, the demo member's password and an
    API token acting as that member."""
    if not NOTESBASE.exists():
        pytest.fail(f"the notesbase console script is not installed beside {sys.executable}")
    env = _env(tmp_path_factory.mktemp("instance"))
    _command(env, "db", "upgrade")
    accounts = _command(env, "demo")
    password = re.search(r"member\s+member@demo\.notesbase\.invalid\s+(\S+)", accounts)
    assert password is not None, accounts
    token = _command(env, "token", "create", "member@demo.notesbase.invalid").strip().split()[-1]
    return env, password[1], token


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + UP_TIMEOUT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"the server stopped (exit {process.returncode})") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listened on port {port}") from None
            time.sleep(0.1)


@pytest.fixture(params=["run", "serve"])
def server(request, demo, tmp_path) -> Iterator[tuple[int, Path, str]]:
    """One server of each kind on a free port; its port, the file it wrote
    standard output and error to, and its kind."""
    env, _password, _token = demo
    port = free_port()
    if request.param == "run":
        args = ["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"]
    else:
        args = ["serve", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
    log = tmp_path / f"{request.param}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(NOTESBASE), *args],
            cwd=env["NOTESBASE_INSTANCE_PATH"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_listening(port, process)
        yield port, log, request.param
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _get(opener: urllib.request.OpenerDirector, url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http on loopback)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _log_in(base: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _status, page = _get(opener, f"{base}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    form = {"csrf_token": token[1], "email": "member@demo.notesbase.invalid"}
    form["password"] = password
    data = urllib.parse.urlencode(form).encode()
    login = urllib.request.Request(f"{base}/login", data=data)  # noqa: S310 (http on loopback)
    with opener.open(login, timeout=30) as answer:
        assert "Log out" in answer.read().decode()
    return opener


def _raw(port: int, request_line: bytes) -> None:
    """A request line sent as typed, however malformed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while connection.recv(65536):
            pass


def test_no_log_line_holds_what_was_searched(server, demo):
    port, log, kind = server
    _env, password, token = demo
    base = f"http://127.0.0.1:{port}"
    words = " ".join(SEARCHED)
    public = urllib.request.build_opener()
    member = _log_in(base, password)
    quoted = urllib.parse.quote_plus
    answers = [
        _get(public, f"{base}/search?q={quoted(FOUND)}"),
        _get(member, f"{base}/search?q={quoted(FOUND + ' ' + SEARCHED[0])}&sort=date&page=2"),
        _get(member, f"{base}/search?q={quoted(words)}"),
        _get(member, f"{base}/search?q={quoted(chr(34) + SEARCHED[1])}"),  # an unclosed quote
        _get(member, f"{base}/search?q={quoted(SEARCHED[2][:4] + '*')}"),
        _get(member, f"{base}/search?q={quoted(words)}&from={SEARCHED[0]}"),  # a bad date
        _get(member, f"{base}/search/suggest?q={quoted(SEARCHED[0][:5])}"),
        _get(public, f"{base}/api/v1/search?q={quoted(words)}"),
        _get(public, f"{base}/api/v1/search?q={quoted(FOUND)}", Authorization=f"Bearer {token}"),
        _get(public, f"{base}/api/v1/search?q={quoted(words)}&page={SEARCHED[1]}"),
        _get(public, f"{base}/search?q=%{SEARCHED[0]}%zz"),  # broken percent-encoding
    ]
    statuses = [status for status, _body in answers]
    assert statuses[0] == 200 and statuses[2] == 200, statuses
    assert any(400 <= status < 500 for status in statuses), statuses
    assert FOUND in answers[0][1].lower()
    _raw(port, f"GET /search?q={SEARCHED[0]} HTTP/1.1 {SEARCHED[1]}".encode())
    _raw(port, f"GET /search?q={SEARCHED[2]}\x1b[2J HTTP/1.1".encode())
    time.sleep(0.5)  # the last access lines are written after the answer
    text = log.read_text(errors="replace")
    lowered = text.lower()
    for word in (*SEARCHED, FOUND):
        assert word not in lowered, [line for line in text.splitlines() if word in line.lower()]
    # The log was really captured: the lines about these requests are there,
    # without what was searched.
    if kind == "run":
        assert '"GET /search?[redacted] HTTP/1.1" 200' in text
        assert "Bad request version ('[redacted]')" in text
    else:
        assert "Invalid request from ip=127.0.0.1: Invalid HTTP request line: '[redacted]'" in text
