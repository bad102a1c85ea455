"""Live gunicorn servers that a test may SIGKILL and start again, quickly.

Starting an interpreter and importing the app takes seconds on a busy
machine, so a warm parent (``python -m tests.faults.server_support``, the
"zygote") imports gunicorn and the app once and forks a fresh server for
each start: the child makes its own session (so the test can SIGKILL the
whole process group: the gunicorn master and its workers) and runs a real
gunicorn with sync workers, each worker building the app with
``create_app()`` from ``NOTESBASE_*`` variables, as in production.

The zygote reads one JSON job per line on stdin and answers one line."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask

from tests.support.loopback_support import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]
ANSWER_TIMEOUT = 60
UP_TIMEOUT = 30


def call(
    port: int, method: str, path: str, token: str | None = None, body: Any = None
) -> tuple[int, Any]:
    """One HTTP request to the server; (status, JSON body or text). Raises
    OSError (refused, reset) when the server is gone."""
    status, _headers, answer = request(port, method, path, token, body)
    return status, answer


def request(
    port: int,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """``call``, with more headers sent and the answer's headers too."""
    sent = {"Host": f"{HOST}:{port}", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body)
        sent["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
    except http.client.HTTPException as error:  # a reply cut off by the kill
        raise ConnectionResetError(str(error)) from error
    finally:
        connection.close()
    answer_headers = dict(response.getheaders())
    kind = answer_headers.get("Content-Type", "")
    return (
        response.status,
        answer_headers,
        json.loads(text) if kind.startswith("application/json") else text,
    )


class Server:
    """One started server: its port and process group."""

    def __init__(self, port: int, pid: int) -> None:
        self.port = port
        self.pid = pid

    def wait_up(self, path: str = "/api/v1/series") -> None:
        """Until the server answers ``path`` with 200 (the first request
        also makes sure there is a usable index)."""
        deadline = time.monotonic() + UP_TIMEOUT
        while True:
            try:
                status, _ = call(self.port, "GET", path)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server on port {self.port} did not come up")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


class Zygote:
    """The warm parent (a child of the test) that forks servers. It answers
    each job with one line, so a plain ``readline`` after ``select`` (with
    a timeout) is enough to hear it."""

    def __init__(self, log_folder: Path) -> None:
        log_folder.mkdir(parents=True, exist_ok=True)
        self.log_folder = log_folder
        self.log_path = log_folder / "zygote.log"
        self.started: list[Server] = []
        command = [sys.executable, "-m", "tests.faults.server_support"]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
        env = {**clean, "PYTHONPATH": str(ROOT)}
        pipe = subprocess.PIPE
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=pipe, stdout=pipe, stderr=log, text=True
            )
        assert self._answer() == "ready"

    def _answer(self) -> Any:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], ANSWER_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            log = self.log_path.read_text(errors="replace")[-4000:]
            raise AssertionError(f"the zygote said nothing; its log:\n{log}")
        return json.loads(line)

    def _send(self, job: dict[str, Any]) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def start(self, env: dict[str, str], workers: int = 2) -> Server:
        port = free_port()
        log = str(self.log_folder / f"server-{len(self.started)}.log")
        job = {"op": "start", "env": env, "port": port, "workers": workers, "log": log}
        server = Server(port, int(self._send(job)["pid"]))
        self.started.append(server)
        return server

    @contextlib.contextmanager
    def running(self, env: dict[str, str], workers: int = 2) -> Iterator[Server]:
        """A server that is up, and SIGKILLed on the way out whatever happens."""
        server = self.start(env, workers)
        try:
            server.wait_up()
            yield server
        finally:
            server.kill()

    def close(self) -> None:
        """Kill every server still running, then stop the zygote (it reaps
        its children and leaves when its stdin closes)."""
        for server in self.started:
            server.kill()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def facilitator_token(app: Flask, name: str = "faults") -> str:
    """A facilitator and their API token, committed (with whatever else the
    session holds)."""
    from notesbase.auth import tokens
    from notesbase.db import db
    from notesbase.models import Member, Role

    with app.app_context():
        member = Member(
            email="facilitator@example.org",
            display_name="Facilitator",
            password_hash="-",
            role=Role.FACILITATOR,
        )
        db.session.add(member)
        db.session.flush()
        _row, token = tokens.create_token(member, name, actor=None)
        db.session.commit()
    return token


def server_env(instance: Path, database_url: str) -> dict[str, str]:
    """What a server needs to find this test's instance folder and database."""
    return {
        "NOTESBASE_INSTANCE_PATH": str(instance),
        "NOTESBASE_DATABASE_URL": database_url,
        "NOTESBASE_SECRET_KEY": "fault-test-secret-key",
        "NOTESBASE_PASSWORD_HASH_TIME_COST": "1",
        "NOTESBASE_PASSWORD_HASH_MEMORY_COST": "64",
    }


# -- in the zygote -------------------------------------------------------------


def _serve_gunicorn(env: dict[str, str], port: int, workers: int, log: str) -> None:
    """In a forked child: become a process group leader and run gunicorn,
    as ``notesbase serve`` does."""
    from notesbase import create_app
    from notesbase.serving import ServeOptions, gunicorn_application

    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.environ.update(env)
    options = ServeOptions(workers=workers, bind=f"{HOST}:{port}")
    try:
        gunicorn_application(options, create_app).run()
    finally:
        os._exit(0)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main() -> None:
    # Warm: imported once, used by every fork.
    import gunicorn.arbiter
    import gunicorn.workers.sync  # noqa: F401

    import notesbase  # noqa: F401
    from notesbase import create_app

    # Import every part of the app, with no database or index touched.
    with tempfile.TemporaryDirectory() as folder:
        config = {"TESTING": True, "SECRET_KEY": "warm", "INSTANCE_PATH": folder}
        create_app({**config, "DATABASE_URL": "sqlite://"})
    children: list[int] = []
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        _reap()
        pid = os.fork()
        if pid == 0:
            _serve_gunicorn(job["env"], int(job["port"]), int(job["workers"]), job["log"])
        children.append(pid)
        print(json.dumps({"pid": pid}), flush=True)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    time.sleep(0.1)
    _reap()


if __name__ == "__main__":
    main()
