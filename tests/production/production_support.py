"""Live ``notesbase serve`` servers for the production tests: a small world
to serve (a series, a meeting, a member, a facilitator with an API token),
plain HTTP calls that keep the headers, a loopback TCP proxy that can be cut
and restored, and Redis when this machine has it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from notesbase import create_app
from notesbase.db import db
from notesbase.models import Base, Item, Member, Role, Series
from tests.conftest import PASSWORD, csrf_token_from, make_test_config
from tests.support.loopback_support import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]
UP_TIMEOUT = 60
STOP_GRACE = 1.0
# Settings every live server here shares: cheap password hashes (as the
# seeded ones), and no search limit unless a test sets one.
SERVER_SETTINGS = {
    "PASSWORD_HASH_TIME_COST": "1",
    "PASSWORD_HASH_MEMORY_COST": "64",
    "SEARCH_RATE_LIMIT": "100000 per minute",
    "SEARCH_SUGGEST_RATE_LIMIT": "100000 per minute",
}


@dataclass
class World:
    """What a live server serves, and the keys to it."""

    instance: Path
    database_url: str
    token: str = ""  # the facilitator's API token
    items_path: str = "/api/v1/series/cop/meetings/1/items"
    member_email: str = "member@example.org"
    ids: dict[str, int] = field(default_factory=dict)


def build_world(tmp_path: Path, database_url: str) -> World:
    """Tables and a little content in ``database_url``; the instance folder
    the servers will share."""
    from notesbase.auth import tokens
    from notesbase.auth.passwords import hash_password
    from notesbase.meetings import service

    world = World(instance=tmp_path / "instance", database_url=database_url)
    app = create_app(make_test_config(tmp_path, database_url))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        series = Series(slug="cop", title="Community of Practice")
        db.session.add(series)
        db.session.flush()
        service.create_meeting(
            series, service.MeetingFields(number=1, title="First meeting", date=date(2024, 7, 18))
        )
        people = {}
        for email, role in (
            (world.member_email, Role.MEMBER),
            ("facilitator@example.org", Role.FACILITATOR),
        ):
            people[role] = Member(
                email=email,
                display_name=email.split("@")[0].title(),
                password_hash=hash_password(PASSWORD),
                role=role,
            )
            people[role].series.append(series)
            db.session.add(people[role])
        db.session.flush()
        _row, world.token = tokens.create_token(people[Role.FACILITATOR], "load", actor=None)
        db.session.commit()
        db.engine.dispose()
    return world


def stored_items(world: World) -> dict[int, str]:
    """Every item's id and text, read straight from the database."""
    engine = sa.create_engine(world.database_url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(sa.select(Item.id, Item.body)).all())
    finally:
        engine.dispose()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def fetch(
    port: int,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    form: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    timeout: float = 30,
) -> Reply:
    """One HTTP request on a new connection, as JSON when ``body`` is given,
    as a browser sends a form when ``form`` is."""
    headers = {"Host": f"{HOST}:{port}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def logged_in_cookies(port: int, email: str) -> dict[str, str]:
    """A browser's cookies after logging in through the real form."""
    page = fetch(port, "GET", "/login")
    cookies = kept_cookies(page, {})
    token = csrf_token_from(page.text)
    form = {"csrf_token": token, "email": email, "password": PASSWORD, "next": ""}
    reply = fetch(port, "POST", "/login", form=form, cookies=cookies)
    assert reply.status == 302, f"logging in answered {reply.status}"
    return kept_cookies(reply, cookies)


def kept_cookies(reply: Reply, cookies: dict[str, str]) -> dict[str, str]:
    """``cookies`` as a browser keeps them after ``reply``: each cookie it
    sets replaced, each it empties or expires dropped."""
    kept = dict(cookies)
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        lowered = header.lower()
        if not value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
            kept.pop(name.strip(), None)
        else:
            kept[name.strip()] = value
    return kept


def server_env(world: World, **settings: str) -> dict[str, str]:
    """The environment of a server for ``world``: no NOTESBASE_* variable of
    the caller's leaks in, only these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESBASE_")}
    values = {
        "INSTANCE_PATH": str(world.instance),
        "DATABASE_URL": world.database_url,
        "SECRET_KEY": "production-tests-secret",
        **SERVER_SETTINGS,
        **settings,
    }
    env.update({f"NOTESBASE_{name}": value for name, value in values.items()})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def serving(world: World, log: Path, *, workers: int = 4, **settings: str) -> Iterator[Server]:
    """``notesbase serve`` for ``world`` on a free port; stopped on the way out."""
    port = free_port()
    command = [sys.executable, "-m", "notesbase", "serve"]
    command += ["--workers", str(workers), "--bind", f"{HOST}:{port}", "--timeout", "30"]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command,
            env=server_env(world, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go with it
        )
    server = Server(port, process, log)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        _stop(process)


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + UP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"notesbase serve exited:\n{server.log_tail()}")
        try:
            if fetch(server.port, "GET", "/login", timeout=10).status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"notesbase serve did not answer in time:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn stops its workers); a server still going after a
    moment (tearing down an interpreter takes seconds on a busy machine) is
    killed with its workers: the process group we started, by its id."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


class CuttableProxy:
    """A loopback TCP proxy in front of ``target``: ``cut()`` closes every
    connection and refuses new ones (as a restarting server does), and
    ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None

    def __enter__(self) -> CuttableProxy:
        self.restore()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            for end in (client, upstream):  # small messages each way: no Nagle delays
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(one: socket.socket, other: socket.socket) -> None:
        ends = {one: other, other: one}
        try:
            while True:
                readable, _, _ = select.select(list(ends), [], [], 1.0)
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    ends[end].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for end in ends:
                with contextlib.suppress(OSError):
                    end.close()
