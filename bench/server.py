"""A warm server on a free loopback port, and a tiny HTTP client that logs in
like a browser (cookie, CSRF token from the login form) with the standard
library only."""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.corpus import Query

HOST = "127.0.0.1"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def server_command(port: int, workers: int) -> tuple[list[str], str, int]:
    """gunicorn when installed (the deployment the targets speak of), else
    the development server; a label saying which; and how many processes
    answer requests."""
    if importlib.util.find_spec("gunicorn") is not None:
        command = [
            sys.executable,
            "-m",
            "notesbase",
            "serve",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
        ]
        return command, f"notesbase serve (gunicorn, {workers} sync workers)", workers
    command = [sys.executable, "-m", "notesbase", "run", "--host", HOST, "--port", str(port)]
    return command, "notesbase run (werkzeug, threaded)", 1


@dataclass(frozen=True)
class Running:
    """A server started by ``started_server``."""

    port: int
    label: str
    workers: int  # processes that answer requests
    process: subprocess.Popen[bytes]
    began: float  # time.perf_counter() just before the process was started

    @property
    def pid(self) -> int:
        """The server's main process (gunicorn's master)."""
        return self.process.pid


@contextlib.contextmanager
def started_server(instance: Path, database_url: str, workers: int, log: Path) -> Iterator[Running]:
    """Start the app against ``instance`` and yield at once, before it
    listens (to time a cold start); stop it afterwards."""
    port = free_port()
    command, label, answering = server_command(port, workers)
    env = dict(os.environ)
    env.update(
        {
            "NOTESBASE_INSTANCE_PATH": str(instance),
            "NOTESBASE_DATABASE_URL": database_url,
            "NOTESBASE_SECRET_KEY": "bench-secret-key",
            # The limit stays on (its check is part of each request), high
            # enough for the benchmark's hundreds of searches a minute.
            "NOTESBASE_SEARCH_RATE_LIMIT": "100000 per minute",
        }
    )
    with open(log, "ab") as output:
        began = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield Running(port, label, answering, process, began)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextlib.contextmanager
def running_server(instance: Path, database_url: str, workers: int, log: Path) -> Iterator[Running]:
    """Start the app against ``instance``; yield once it listens; stop it."""
    with started_server(instance, database_url, workers, log) as server:
        _wait_until_up(server.port, server.process)
        yield server


def _wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see its log")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start in time")


class Client:
    """One browser: a cookie jar and plain HTTP/1.1 requests (a new
    connection each time, as gunicorn's sync workers close them)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})
        # time.perf_counter() when the last request's connection was made.
        self.connected_at = 0.0

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.connect()
            self.connected_at = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return response.status, text
        finally:
            connection.close()

    def _keep(self, header: str) -> None:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        expired = "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower()
        if expired or not value:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def log_in(self, email: str, password: str) -> None:
        status, page = self.get("/login")
        token = _CSRF.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"no login form (status {status})")
        form = {"csrf_token": token.group(1), "email": email, "password": password, "next": ""}
        status, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"logging in failed with status {status}")


def search_path(text: str, topic: str | None) -> str:
    params = [("q", text)] + ([("topic", topic)] if topic else [])
    return "/search?" + urllib.parse.urlencode(params)


def query_path(query: Query) -> str:
    """The search page's address for ``query``, with its page and filters
    as the search form sends them."""
    params = [("q", query.text)]
    if query.topic:
        params.append(("topic", query.topic))
    if query.meetings:
        params += [("meeting_from", str(query.meetings[0])), ("meeting_to", str(query.meetings[1]))]
    if query.dates:
        params += [("from", query.dates[0]), ("to", query.dates[1])]
    if query.by_date:
        params.append(("sort", "date"))
    if query.page != 1:
        params.append(("page", str(query.page)))
    return "/search?" + urllib.parse.urlencode(params)
