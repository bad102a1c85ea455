"""The app factory and the order configuration sources are read in."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from notesbase import create_app
from notesbase.db import db
from tests.conftest import make_test_config


def test_config_order(tmp_path, clean_env):
    """Defaults < instance/config.py < NOTESBASE_* environment < test config."""
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        "SITE_A = 'file'\nSITE_B = 'file'\nSITE_C = 'file'\nINVITE_LIFETIME = 'file'\n"
    )
    clean_env.setenv("NOTESBASE_SITE_B", "env")
    clean_env.setenv("NOTESBASE_SITE_C", "env")
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(instance))
    app = create_app({"SITE_C": "test", "SECRET_KEY": "x"})
    assert app.config["SITE_A"] == "file"
    assert app.config["SITE_B"] == "env"
    assert app.config["SITE_C"] == "test"
    assert app.config["INVITE_LIFETIME"] == "file"  # the file overrides a default
    assert app.config["SQLITE_BUSY_TIMEOUT"] == 5.0  # untouched default


def test_environment_values_are_parsed(tmp_path, clean_env):
    """NOTESBASE_* values that look like JSON become numbers and booleans."""
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(tmp_path))
    clean_env.setenv("NOTESBASE_PROXY_FIX_HOPS", "1")
    clean_env.setenv("NOTESBASE_DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["PROXY_FIX_HOPS"] == 1
    with app.app_context():
        assert db.engine.url.database == f"{tmp_path}/other.sqlite3"


def test_instance_path_moves_everything(tmp_path, clean_env):
    """NOTESBASE_INSTANCE_PATH holds the default database and the generated key."""
    instance = tmp_path / "elsewhere"
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(instance))
    app = create_app()
    assert app.instance_path == str(instance)
    with app.app_context():
        assert db.engine.url.database == str(instance / "notesbase.sqlite3")
    assert (instance / "secret_key").exists()


def test_secret_key_generated_once_owner_only(tmp_path, clean_env):
    """Without a configured key, one is generated into instance/, mode 0600, and reused."""
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = Path(tmp_path, "secret_key")
    assert first == second
    assert len(first) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_secret_key_wins(tmp_path, clean_env):
    """A key from the environment is used and none is written."""
    clean_env.setenv("NOTESBASE_INSTANCE_PATH", str(tmp_path))
    clean_env.setenv("NOTESBASE_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not Path(tmp_path, "secret_key").exists()


def test_templates_come_from_top_level_folder(app):
    """Templates live in the project's top-level templates/ folder."""
    assert Path(app.template_folder).name == "templates"
    assert Path(app.template_folder, "base.html").exists()


def test_sqlite_connections_are_tuned(tmp_path):
    """Every SQLite connection has WAL, foreign keys and a busy timeout."""
    app = create_app(make_test_config(tmp_path, f"sqlite:///{tmp_path / 'tuned.sqlite3'}"))
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_requests_start_no_thread(app, client, monkeypatch):
    """No async teardown runs (Flask would start a thread and an event loop
    for it at the end of every request), and the request's database session
    is still closed, its connection back in the pool."""
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    with app.app_context():
        engine = db.engine
    assert client.get("/").status_code == 200
    assert started == []
    assert engine.pool.checkedout() == 0


def test_foreign_keys_enforced(app):
    """A meeting pointing at a missing series is refused by the database."""
    with app.app_context(), pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO meetings (series_id, number, title, date, timezone, status,"
                " theme, speakers, description, chatham_house, external_writeup,"
                " created_at, updated_at) VALUES (999, 1, 't', '2025-01-01', 'Europe/London',"
                " 'upcoming', '', '', '', true, false, '2025-01-01', '2025-01-01')"
            )
        )


def test_security_headers(client):
    """Every response carries the browser-facing security headers."""
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_unknown_page_is_a_clear_404(client):
    """An unknown address gets the site's 404 page, not a bare error."""
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is nothing here." in response.data
