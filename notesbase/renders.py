"""Item bodies as each audience sees them, kept in a file beside the
database for every process of this host (``disclosure.bodies`` says what a
render is and why a key made from all it is made from is enough).

Rendering a body (Markdown, redactions, the names its reader may not read,
cleaning) is most of what a page of notes costs: about a third of a
millisecond each, so 170 ms for a meeting of 500 items. A process keeps its
last 2,048 renders (``disclose``); this keeps them across processes and
restarts, so a meeting read by one member, or indexed after a save, is not
rendered again for the next.

The file (``RENDER_STORE_PATH``, by default ``instance/renders.sqlite``) is
derived: deleting it loses nothing, and it is never backed up. Keeping it
safe:

- A render is found only by its key, so a wrong or old one is never shown:
  anything it was made from changing makes another key.
- Renders hold what their audience was shown, names released to it
  included. So the file is emptied whenever text or a person must leave no
  trace: when the search index applies a purge (``search.indexer``: an item
  or its history purged, an erasure, a retention run), on every host, as
  the index itself is rewritten, and by a rebuild. SQLite's ``secure_delete``
  overwrites what is deleted, and the write-ahead log, which still holds
  what the rows were written with, is checkpointed and truncated.
- A render made from notes read before such a purge must not come back
  after it. The file holds a random token, drawn again at each emptying; an
  app context reads it as it starts (before it reads any notes), and a
  render is kept only while the token is still the one it read.
- Anything wrong with the file (locked, damaged, a full disk) makes a page
  render afresh and keep nothing, never fail. A damaged file, one made by
  another version of this module, and an emptying that cannot run delete
  the file. Each row carries a digest of itself, checked as it is read, so
  a row damaged or run together with another is never shown."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from flask import Flask, appcontext_pushed, current_app, g, has_app_context

from notesbase import private_files
from notesbase.disclosure import bodies
from notesbase.disclosure.bodies import Shown

log = logging.getLogger(__name__)

_COLUMNS = ("id", "key", "html", "text", "sum")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE,"
    " html TEXT, text TEXT, sum BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS token (value TEXT NOT NULL)",
    # Leak-check results (``leakcheck.stored``), by the digest of all they
    # were worked out from: plain text, emptied with the renders.
    "CREATE TABLE IF NOT EXISTS checks (id INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE,"
    " value TEXT NOT NULL, sum BLOB NOT NULL)",
)
CHECKS_MAX = 1_000  # leak-check results kept; the oldest go first
_CHUNK = 500  # keys asked for in one statement
_WAIT = 0.05  # seconds a page waits for the file before doing without it
_WIPE_WAIT = 10.0


def _sum(key: bytes, html: str | None, text: str | None) -> bytes:
    """A digest of a row whole: a row read back that does not match it (a
    file damaged by a crash, parts of two rows run together) is not used."""
    digest = hashlib.blake2b(key, digest_size=16)
    if html is not None and text is not None:
        encoded = html.encode("utf-8", "surrogatepass")
        digest.update(b"%d:" % len(encoded) + encoded + text.encode("utf-8", "surrogatepass"))
    return digest.digest()


def _row(key: bytes, shown: Shown) -> tuple[bytes, str | None, str | None, bytes]:
    # Kept as plain text, so a scan of the file for a name finds it.
    html, text = (None, None) if shown is None else shown
    return key, html, text, _sum(key, html, text)


def _check_sum(key: bytes, value: str) -> bytes:
    return hashlib.blake2b(key + value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _shown(key: bytes, html: str | None, text: str | None, kept_sum: bytes) -> Shown | bool:
    """The render a row holds, or False when it is not the row it was."""
    if (html is None) != (text is None) or bytes(kept_sum) != _sum(key, html, text):
        return False
    return None if html is None or text is None else (html, text)


class RenderStore:
    """The file of kept renders at ``path``: at most ``max_rows`` of them,
    the oldest let go first."""

    def __init__(self, path: Path, max_rows: int) -> None:
        self.path = path
        self.max_rows = max_rows
        self._local = threading.local()

    def _connection(self, wait: float = _WAIT) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            connection: sqlite3.Connection = held[1]
            if held[2] != wait:  # an emptying waits longer than a page
                connection.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                self._local.held = (held[0], connection, wait)
            return connection
        connection = self._open(wait)
        shape = [row[1] for row in connection.execute("PRAGMA table_info(bodies)")]
        if shape and tuple(shape) != _COLUMNS:  # made by another version: start again
            connection.close()
            self._delete_files()
            connection = self._open(wait)
        connection.execute("PRAGMA secure_delete = ON")
        # Pages read beside a worker's writes, never waiting for them; in
        # this mode NORMAL keeps the file whole through a crash.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.execute(
            "INSERT INTO token (value) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM token)",
            (secrets.token_hex(16),),
        )
        self._local.held = (os.getpid(), connection, wait)
        return connection

    def _open(self, wait: float) -> sqlite3.Connection:
        # Owner-only from the start, as the text it keeps is the notes'
        # (SQLite gives its log and index the same mode).
        with contextlib.suppress(FileExistsError):
            private_files.create_empty(self.path)
        return sqlite3.connect(self.path, timeout=wait, isolation_level=None)

    def _drop_connection(self) -> None:
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None and held[0] == os.getpid():
            held[1].close()

    def token(self) -> str | None:
        """The file's token now (None: the file cannot be read)."""
        try:
            row = self._connection().execute("SELECT value FROM token").fetchone()
        except sqlite3.Error as error:
            self._failed("read", error)
            return None
        return str(row[0]) if row else None

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Shown]:
        wanted = list(keys)
        found: dict[bytes, Shown] = {}
        try:
            connection = self._connection()
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, html, text, sum FROM bodies WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                )
                for key, html, text, kept_sum in rows:
                    shown = _shown(bytes(key), html, text, kept_sum)
                    if shown is not False:
                        found[bytes(key)] = shown
        except sqlite3.Error as error:
            self._failed("read", error)
            return {}
        return found

    def put_many(self, renders: Mapping[bytes, Shown], token: str | None) -> None:
        """Keep ``renders``, made from what was read while the file's token
        was ``token``: nothing when it has been emptied since."""
        if not renders:
            return
        rows = [_row(key, shown) for key, shown in renders.items()]

        def write(connection: sqlite3.Connection) -> None:
            connection.executemany(
                "INSERT OR IGNORE INTO bodies (key, html, text, sum) VALUES (?, ?, ?, ?)", rows
            )
            self._prune(connection)

        self._write(token, write)

    def get_check(self, key: bytes) -> str | None:
        """The leak-check result kept under ``key``, if whole."""
        try:
            row = (
                self._connection()
                .execute("SELECT value, sum FROM checks WHERE key = ?", (key,))
                .fetchone()
            )
        except sqlite3.Error as error:
            self._failed("read", error)
            return None
        if row is None or bytes(row[1]) != _check_sum(key, row[0]):
            return None
        return str(row[0])

    def put_check(self, key: bytes, value: str, token: str | None) -> None:
        """Keep a leak-check result worked out from what was read while the
        file's token was ``token``: nothing when it has been emptied since."""

        def write(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT OR REPLACE INTO checks (key, value, sum) VALUES (?, ?, ?)",
                (key, value, _check_sum(key, value)),
            )
            connection.execute(
                "DELETE FROM checks WHERE id <= (SELECT max(id) FROM checks) - ?", (CHECKS_MAX,)
            )

        self._write(token, write)

    def _write(self, token: str | None, write: Callable[[sqlite3.Connection], None]) -> None:
        """``write`` in one transaction, while the file's token is still
        ``token`` (nothing when it is None or the file has been emptied)."""
        if token is None:
            return
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                now = connection.execute("SELECT value FROM token").fetchone()
                if now is None or now[0] != token:
                    connection.execute("ROLLBACK")
                    return
                write(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self._failed("write", error)

    def _prune(self, connection: sqlite3.Connection) -> None:
        low, high = connection.execute("SELECT min(id), max(id) FROM bodies").fetchone()
        if low is not None and high - low + 1 > self.max_rows:
            keep = self.max_rows * 9 // 10
            connection.execute("DELETE FROM bodies WHERE id <= ?", (high - keep,))

    def wipe(self) -> None:
        """Empty the file and draw a new token; failing that, delete it."""
        try:
            connection = self._connection(_WIPE_WAIT)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM bodies")
            connection.execute("DELETE FROM checks")
            connection.execute("UPDATE token SET value = ?", (secrets.token_hex(16),))
            connection.execute("COMMIT")
            # The write-ahead log still holds what the rows were written with.
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            log.warning("renders: the kept renders' log could not be emptied: deleting them")
        except sqlite3.Error as error:
            log.warning("renders: the kept renders could not be emptied (%s): deleting them", error)
        self._drop_connection()
        self._delete_files()

    def _delete_files(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _failed(self, what: str, error: BaseException) -> None:
        self._drop_connection()
        if type(error) is sqlite3.DatabaseError:  # damaged, or not a database at all
            log.warning("renders: the kept renders are damaged (%s): deleting them", error)
            self._delete_files()
        else:  # busy, locked, read-only, a full disk: done without this time
            log.info("renders: could not %s kept renders (%s)", what, error)


class _Bound:
    """The app's store as one app context uses it: renders are kept under
    the token it read as it started."""

    def __init__(self, store: RenderStore, token: str | None) -> None:
        self.store = store
        self.token = token

    def get_many(self, keys: Iterable[bytes]) -> Mapping[bytes, Shown]:
        return self.store.get_many(keys)

    def put_many(self, renders: Mapping[bytes, Shown]) -> None:
        self.store.put_many(renders, self.token)

    def get_check(self, key: bytes) -> str | None:
        return self.store.get_check(key)

    def put_check(self, key: bytes, value: str) -> None:
        self.store.put_check(key, value, self.token)


_EXTENSION = "notesbase.renders"


def store_of(app: Flask) -> RenderStore | None:
    store: RenderStore | None = app.extensions.get(_EXTENSION)
    return store


def wipe(app: Flask) -> None:
    """Empty the app's kept renders (see the module), if it keeps any."""
    store = store_of(app)
    if store is not None:
        store.wipe()


def current() -> _Bound | None:
    """The app's store as this app context uses it, if it keeps one."""
    return _current()


def _current() -> _Bound | None:
    if not has_app_context():
        return None
    store = store_of(current_app)
    if store is None:
        return None
    return _Bound(store, g.get("render_token"))


def _read_token(app: Flask, **_extra: object) -> None:
    store = store_of(app)
    if store is not None:
        g.render_token = store.token()


def init_app(app: Flask) -> None:
    if not app.config.get("RENDER_STORE", True):
        return
    path = app.config.get("RENDER_STORE_PATH") or Path(app.instance_path) / "renders.sqlite"
    app.extensions[_EXTENSION] = RenderStore(Path(path), int(app.config["RENDER_STORE_MAX_ROWS"]))
    appcontext_pushed.connect(_read_token, app)
    bodies.use(_current)
