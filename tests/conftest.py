"""Shared fixtures: a fresh app per test on ``tmp_path``, a client, a CLI
runner, members to log in as, and PostgreSQL when the machine has it.

Set ``NOTESBASE_TEST_DATABASE_URL`` to a PostgreSQL URL to run the whole suite
on PostgreSQL (the database is dropped and created anew for the run).
``NOTESBASE_TEST_POSTGRES_URL`` names the server the PostgreSQL-only tests use
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). Where no
server answers, those tests skip with the reason, except under ``CI=true``,
where an unreachable server fails the run."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2.bccache import Bucket, BytecodeCache

from notesbase import create_app
from notesbase.db import db
from notesbase.models import Base, Member, Role, Series
from notesbase.search import background

PASSWORD = "correct horse battery staple"
DEFAULT_POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUITE_DATABASE_URL = os.environ.get("NOTESBASE_TEST_DATABASE_URL")


# A test that asks for none of these never opens the suite's database: it
# runs the same whatever NOTESBASE_TEST_DATABASE_URL says (``app``, ``client``
# and the rest ask for it; a test on a PostgreSQL database of its own, through
# ``postgres_database``, runs the same in either pass).
DATABASE_FIXTURES = {"suite_postgres"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the suite's database (CI's PostgreSQL pass:"
        " the others do not depend on the database and ran in the SQLite pass)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        uses = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses or item.get_closest_marker("database") else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not reachable ({reason}); set NOTESBASE_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server() -> sa.URL:
    """The URL of a PostgreSQL maintenance database we may create databases from."""
    url = sa.make_url(os.environ.get("NOTESBASE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_SERVER))
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        _postgres_unavailable(str(error).splitlines()[0])
    finally:
        engine.dispose()
    return url


def create_postgres_database(server: sa.URL, name: str) -> sa.URL:
    """Drop and create database ``name`` on ``server``; return its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe database name {name!r}")
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.set(database=name)


def drop_postgres_database(server: sa.URL, name: str) -> None:
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def postgres_database(postgres_server: sa.URL) -> Iterator[sa.URL]:
    """A new, empty PostgreSQL database for one test."""
    name = f"notesbase_test_{secrets.token_hex(6)}"
    url = create_postgres_database(postgres_server, name)
    yield url
    drop_postgres_database(postgres_server, name)


@pytest.fixture(scope="session")
def suite_postgres() -> Iterator[str | None]:
    """When the suite runs on PostgreSQL: its database, fresh, with every table."""
    if not SUITE_DATABASE_URL:
        yield None
        return
    url = sa.make_url(SUITE_DATABASE_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # each pytest-xdist worker empties tables: one database each
        url = url.set(database=f"{url.database or 'notesbase_test'}_{worker}")
    server = url.set(database="postgres")
    try:
        create_postgres_database(server, url.database or "notesbase_test")
    except Exception as error:
        pytest.fail(f"cannot create the suite database {url.database}: {error}")
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url.render_as_string(hide_password=False)


def _empty_all_tables(engine: sa.Engine) -> None:
    """Delete every row and restart the id sequences: for the suite's small
    tables, DELETE is several times faster than TRUNCATE."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.execute(
            sa.text("SELECT sequence_schema, sequence_name FROM information_schema.sequences")
        ).all()
        for schema, name in sequences:
            connection.execute(sa.text(f'ALTER SEQUENCE "{schema}"."{name}" RESTART'))


class _TemplateCache(BytecodeCache):
    """Compiled templates shared by every app of this test process: each test
    builds a new app, and compiling the same templates again is most of the
    cost of its first page."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _TemplateCache()


def make_test_config(tmp_path: Any, database_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 64,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        # Background merges start soon after a save, and the ``app`` fixture
        # waits for them: none may outlive its test (Whoosh names segments
        # with the global ``random``, which Hypothesis watches).
        "SEARCH_MERGE_DELAY": 0.05,
        # Every leak-check result read from those kept is worked out again
        # and must be the same (``leakcheck.stored``).
        "LEAK_CHECK_VERIFY_KEPT": True,
    }
    config.update(overrides)
    return config


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No NOTESBASE_* variable from the machine leaks into the test."""
    for name in list(os.environ):
        if name.startswith("NOTESBASE_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra configuration for the ``app`` fixture; override in a test module."""
    return {}


_EMPTY_SQLITE: list[Path] = []  # this test process's empty database, every table made


def _empty_sqlite(target: Path) -> None:
    """Put an empty SQLite database with every table at ``target``: a copy
    of one made once per test process (``create_all``), which is quicker
    than making every table again for each test."""
    if not _EMPTY_SQLITE:
        folder = Path(tempfile.mkdtemp(prefix="notesbase-empty-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        engine = sa.create_engine(f"sqlite:///{folder / 'empty.sqlite3'}")
        Base.metadata.create_all(engine)
        engine.dispose()
        _EMPTY_SQLITE.append(folder / "empty.sqlite3")
    shutil.copyfile(_EMPTY_SQLITE[0], target)


def build_app(folder: Any, suite_postgres: str | None, **config: Any) -> Flask:
    """An app with every table, empty: on SQLite in ``folder``, or on the
    suite's PostgreSQL database."""
    database_url = suite_postgres or f"sqlite:///{folder / 'notesbase.sqlite3'}"
    target = Path(folder) / "notesbase.sqlite3"
    copied = not suite_postgres and not target.exists()
    if copied:
        target.parent.mkdir(parents=True, exist_ok=True)
        _empty_sqlite(target)
    app = create_app(make_test_config(folder, database_url, **config))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        if suite_postgres:
            _empty_all_tables(db.engine)
        elif not copied:  # a database already there: its missing tables made
            Base.metadata.create_all(db.engine)
    return app


@pytest.fixture
def app(tmp_path: Any, suite_postgres: str | None, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = build_app(tmp_path, suite_postgres, **app_config)
    yield app
    background.wait_for_merges(timeout=10)
    with app.app_context():
        db.engine.dispose()


@contextmanager
def app_on(folder: Any, database_url: str, **config: Any) -> Iterator[Flask]:
    """An app with every table on a database of the test's own (SQLite in
    ``folder``, or a PostgreSQL database made for the test), let go after."""
    app = create_app(make_test_config(folder, database_url, **config))
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    with app.app_context():
        Base.metadata.create_all(db.engine)
    try:
        yield app
    finally:
        background.wait_for_merges(timeout=10)
        with app.app_context():
            db.engine.dispose()


def engine_url(request: pytest.FixtureRequest, folder: Any) -> str:
    """For a fixture parametrized ``["sqlite", "postgresql"]``: the URL of a
    SQLite file in ``folder``, or of a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        return f"sqlite:///{folder / 'notesbase.sqlite3'}"
    database: sa.URL = request.getfixturevalue("postgres_database")
    return database.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_app(tmp_path: Any, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The ``app`` on SQLite whatever the suite's database, for a module whose
    subject no database engine changes (who may reach each route) or that
    reads SQLite's own files; such a module's tests leave CI's PostgreSQL
    pass. A module opts in by defining ``app`` as this fixture."""
    app = build_app(tmp_path, None, **app_config)
    yield app
    background.wait_for_merges(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def without_csrf(html: bytes) -> bytes:
    """A page with its CSRF token blanked: the token carries the time to the
    second, so two pages asked a second apart differ there and nowhere else."""
    return re.sub(rb'(name="csrf_token"[^>]*value=")[^"]+', rb"\1", html)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def post_form(
    client: FlaskClient, url: str, data: dict[str, Any], *, page: str | None = None, **kwargs: Any
) -> Any:
    """Post a form as a browser would: fetch the page first for its CSRF token."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data}, **kwargs)


@pytest.fixture
def make_member(app: Flask) -> Callable[..., Member]:
    """Create a member directly in the database (password: ``PASSWORD``)."""
    from notesbase.auth.passwords import hash_password

    def make(
        email: str = "member@example.org",
        *,
        role: Role = Role.MEMBER,
        name: str | None = None,
        password: str = PASSWORD,
        series: list[Series] | None = None,
        active: bool = True,
    ) -> Member:
        with app.app_context():
            member = Member(
                email=email.lower(),
                display_name=name or email.split("@")[0].title(),
                password_hash=hash_password(password),
                role=role,
                active=active,
            )
            for s in series or []:
                member.series.append(db.session.merge(s))
            db.session.add(member)
            db.session.commit()
            db.session.refresh(member)
            db.session.expunge(member)
            return member

    return make


@pytest.fixture
def make_series(app: Flask) -> Callable[..., Series]:
    def make(slug: str = "cop", title: str = "Community of Practice", **fields: Any) -> Series:
        with app.app_context():
            series = Series(slug=slug, title=title, **fields)
            db.session.add(series)
            db.session.commit()
            db.session.refresh(series)
            db.session.expunge(series)
            return series

    return make


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(
        self, email: str = "member@example.org", password: str = PASSWORD, **extra: Any
    ) -> Any:
        return post_form(self.client, "/login", {"email": email, "password": password, **extra})

    def logout(self) -> Any:
        return post_form(self.client, "/logout", {}, page="/")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_member: Callable[..., Member], auth: AuthActions) -> Callable[..., Member]:
    """Create a member with ``role`` and log the test client in as them."""

    def login(role: Role = Role.MEMBER, email: str | None = None, **kwargs: Any) -> Member:
        member = make_member(email or f"{role.value}@example.org", role=role, **kwargs)
        response = auth.login(member.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return member

    return login


@pytest.fixture
def noon_today() -> Iterator[None]:
    """The clock at noon on ``tests.support.clock_support.TODAY`` where
    meetings are held, ticking: tests that place meetings around today agree
    with the app on the date, even in a run that passes midnight."""
    import time_machine

    from tests.support.clock_support import NOON_TODAY

    with time_machine.travel(NOON_TODAY, tick=True):
        yield
