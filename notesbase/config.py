"""Configuration: code defaults, then ``instance/config.py``, then ``NOTESBASE_*``
environment variables, then the test config (each later source wins)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from notesbase import site

ENV_PREFIX = "NOTESBASE"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Defaults:
    """Settings every deployment starts from; override any of them by name."""

    # Relative SQLite paths are resolved inside the instance folder.
    DATABASE_URL = "sqlite:///notesbase.sqlite3"
    # The site's public address, like https://notes.example.org: every absolute
    # URL, calendar UID and feed id is built from it, never from the request's
    # Host header. Unset: SERVER_NAME's, else the address `notesbase run` or
    # `notesbase serve` listens on (notesbase/site.py).
    BASE_URL: str | None = None
    SECRET_KEY: str | None = None
    # Seconds a SQLite connection waits for a lock before giving up.
    SQLITE_BUSY_TIMEOUT = 5.0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # A login lasts this long without "remember me" before it must be renewed.
    LOGIN_SESSION_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = 3600 * 8
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    INVITE_LIFETIME = timedelta(days=7)
    # Argon2id cost; tests lower it to keep the suite fast.
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 1024

    # Flask-Limiter: "memory://" is per process; set a redis:// URL to share
    # limits between workers and hosts.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per minute;300 per hour"
    LOGIN_FAILURE_LIMIT_PER_EMAIL = "5 per 5 minutes;20 per hour"

    # Trust X-Forwarded-* from this many proxies (0: served directly).
    PROXY_FIX_HOPS = 0
    DEFAULT_TIMEZONE = "Europe/London"

    # Email (circulating the notes). The sender of every message.
    MAIL_SENDER = "notesbase <notesbase@localhost>"
    # No SMTP host: each message is written as an .eml file into
    # instance/outbox/ instead of being sent (the embedded default).
    MAIL_SMTP_HOST = ""
    # 0: the mode's usual port (465 with SSL, 587 with STARTTLS, else 25).
    MAIL_SMTP_PORT = 0
    MAIL_SMTP_USERNAME = ""
    MAIL_SMTP_PASSWORD = ""
    # STARTTLS after connecting, or SSL from the start (not both).
    MAIL_SMTP_STARTTLS = False
    MAIL_SMTP_SSL = False
    # Seconds to wait for the SMTP server.
    MAIL_SMTP_TIMEOUT = 30.0

    # Review rounds: `notesbase review remind` emails those who have not
    # answered this many days before the deadline (once per person and round).
    REVIEW_REMINDER_DAYS = 2

    # Backups: how many days each is kept (deleted by whoever runs them); an
    # erasure lists the backups taken before it, and when each ages out.
    BACKUP_KEEP_DAYS = 35
    # The privacy notice's default text tells people to write here (an email
    # address) to ask for their archive or its erasure; empty: the facilitators.
    PRIVACY_CONTACT = ""

    # Calendar feeds: how long a meeting lasts when only its start is known.
    CALENDAR_DEFAULT_DURATION_MINUTES = 90

    # Item bodies as each audience sees them, kept for every process of this
    # host in instance/renders.sqlite unless a path is given (derived: safe to
    # delete; emptied whenever the index applies a purge). At most this many.
    RENDER_STORE = True
    RENDER_STORE_PATH: str | None = None
    RENDER_STORE_MAX_ROWS = 500_000
    # The leak-check page's results, worked out after each save in the notes
    # editor and kept in the same file (``leakcheck.stored``); off with
    # RENDER_STORE too. VERIFY (for tests) works out every kept one again.
    LEAK_CHECK_KEPT = True
    LEAK_CHECK_VERIFY_KEPT = False

    # Search. The index lives in instance/search unless a path is given.
    SEARCH_INDEX_PATH: str | None = None
    # Apply the outbox right after each commit (the embedded default). With
    # several processes or hosts, set False and run `notesbase index apply --watch`.
    SEARCH_APPLY_ON_COMMIT = True
    # Seconds to wait for the index writer lock after a commit (the holder
    # applies what it finds before letting go), and otherwise.
    SEARCH_APPLY_TIMEOUT = 0.5
    SEARCH_LOCK_TIMEOUT = 10.0
    # Outbox rows are kept this long; a host further behind must rebuild.
    SEARCH_OUTBOX_KEEP_DAYS = 7
    # An outbox row whose index work fails is tried again after this many
    # seconds, doubling each time (at most an hour), and set aside after
    # this many attempts (`notesbase index apply --retry-poisoned`).
    SEARCH_OUTBOX_RETRY_SECONDS = 5.0
    SEARCH_OUTBOX_MAX_ATTEMPTS = 8
    # A missing or corrupt index is rebuilt before answering when the
    # database holds at most this many items, else in the background.
    SEARCH_SYNC_REBUILD_MAX_ITEMS = 5000
    # Worker processes for a full rebuild (0: one per core); small databases
    # are rebuilt in the calling process.
    SEARCH_REBUILD_PROCESSES = 0
    # Seconds without a save before small index segments are merged (in the
    # background; `notesbase index apply` merges at once).
    SEARCH_MERGE_DELAY = 1.0
    # Memory per process for what searches read from the index (posting
    # lists, masks, columns), in megabytes.
    SEARCH_CACHE_MB = 512
    # Read and write the index through Whoosh's private internals (fast), as
    # long as the installed whoosh-reloaded is the version they were written
    # for; False: always through Whoosh's public API (slower, the same answers).
    SEARCH_WHOOSH_INTERNALS = True

    # Several processes, load and database faults.
    # PostgreSQL: seconds a statement waits for a row or table lock (0: the server's setting).
    DATABASE_LOCK_TIMEOUT = 5.0
    # PostgreSQL: seconds any statement may run (0: the server's setting, by default no limit).
    DATABASE_STATEMENT_TIMEOUT = 0.0
    # PostgreSQL: seconds to wait for a new connection, or for a pooled one.
    DATABASE_CONNECT_TIMEOUT = 5.0
    # Seconds a client is told to wait (Retry-After) when the database is busy.
    DATABASE_RETRY_AFTER = 5
    # Rate-limit storage down: count in each process instead, logging a warning.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Prefix of the rate limits' keys in shared storage.
    RATELIMIT_KEY_PREFIX = "notesbase"
    # Invitations made by one admin, and uses of invitation links from one address.
    INVITE_RATE_LIMIT = "30 per hour"
    INVITE_ACCEPT_RATE_LIMIT = "10 per minute;30 per hour"
    # Searches from one address (the page and the API, counted apart), and suggestions.
    SEARCH_RATE_LIMIT = "120 per minute"
    SEARCH_SUGGEST_RATE_LIMIT = "240 per minute"
    # The notes editor's names check of an item being typed, per facilitator.
    DRAFT_CHECK_RATE_LIMIT = "300 per minute"


def resolve_instance_path(test_config: dict[str, Any] | None) -> str | None:
    """The instance folder: the test config's, else ``NOTESBASE_INSTANCE_PATH``."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        f"{ENV_PREFIX}_INSTANCE_PATH"
    )
    return str(Path(chosen).expanduser().resolve()) if chosen else None


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from every source, in order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["INSTANCE_PATH"] = app.instance_path
    # Checked now, so a wrong address stops the start with a clear message
    # rather than going into every feed and email.
    app.config[site.SETTING] = site.parse_base_url(app.config.get(site.SETTING))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """Read the key kept in the instance folder, creating it (owner-only) once."""
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
