"""The index's storage and versions: its folders, locks, outbox cursor and
checksums.

On disk, under the index root (``instance/search`` by default)::

    CURRENT          the name of the generation in use
    gen-000003/      a Whoosh index, plus layout.json (the layout it was
                     written in), state.json (the outbox cursor) and
                     checksums.json (of each index file, checked on opening)
    writer.lock      held by the one process writing (flock, with a timeout)
    rebuild.lock     held by the one process rebuilding

A rebuild writes a new generation and switches ``CURRENT`` to it in one
rename, so readers never see a half-built index; every process notices the
switch on its next search and reopens."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index

from notesbase.search import whoosh_internals
from notesbase.search.schema import schema
from notesbase.search.whoosh_internals import mapped

# Each generation's index files and their SHA-256, checked when a process
# first opens it: Whoosh keeps no checksums of its own.
CHECKSUMS = "checksums.json"
# The index layout this code reads (schema, formats); a generation written
# with another one is rebuilt rather than misread.
LAYOUT = "layout.json"
LAYOUT_VERSION = 3


class IndexUnavailable(Exception):
    """There is no usable index (missing, corrupt or being rebuilt)."""


class LockTimeout(Exception):
    """Another process holds the writer lock for longer than we wait (or
    Whoosh's own lock, which a writer not yet let go of may still hold)."""


class Storage:
    """One index root: its generations, locks and per-generation state, and
    the Whoosh index of each generation, opened once per process after
    checking its layout and checksums."""

    def __init__(self, root: Path, *, lock_timeout: float = 5.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._opened: dict[Path, index.Index] = {}
        self._open_lock = threading.Lock()

    # -- folders -----------------------------------------------------------

    def current_path(self) -> Path | None:
        try:
            name = (self.root / "CURRENT").read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):  # garbage: as if there were none
            return None
        path = self.root / name
        return path if name.startswith("gen-") and path.is_dir() else None

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [
            int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].split(".")[0].isdigit()
        ]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        index.create_in(str(path), schema())
        (path / LAYOUT).write_text(json.dumps({"version": LAYOUT_VERSION}), encoding="utf-8")
        return path

    def switch_to(self, path: Path) -> None:
        """Make ``path`` the index every process uses, atomically; remove
        the generations it replaces."""
        temporary = self.root / f"CURRENT.{os.getpid()}.tmp"
        temporary.write_text(path.name + "\n", encoding="ascii")
        os.replace(temporary, self.root / "CURRENT")
        for old in self.root.glob("gen-*"):
            if old != path and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    def discard(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    # -- locks -------------------------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self, timeout: float | None = None) -> Iterator[None]:
        """The one-writer lock (released by the kernel if the process dies,
        so it can never go stale)."""
        with _flock(self.root / "writer.lock", self.lock_timeout if timeout is None else timeout):
            yield

    @contextlib.contextmanager
    def rebuild_lock(self) -> Iterator[bool]:
        """Yields True when this process may rebuild, False when another is."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / "rebuild.lock", "a+")  # noqa: SIM115
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    def rebuilding_elsewhere(self) -> bool:
        with self.rebuild_lock() as mine:
            return not mine

    # -- state (the outbox cursor of this host's index) ----------------------

    @staticmethod
    def read_state(path: Path) -> dict[str, Any]:
        try:
            return dict(json.loads((path / "state.json").read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError):
            return {"cursor": 0, "gaps": {}}

    @staticmethod
    def write_state(path: Path, state: dict[str, Any]) -> None:
        temporary = path / "state.json.tmp"
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, path / "state.json")

    # -- opening -----------------------------------------------------------------

    def open_index(self, path: Path) -> index.Index:
        with self._open_lock:
            opened = self._opened.get(path)
            if opened is None:
                if _layout(path) != LAYOUT_VERSION:
                    raise IndexUnavailable("the index was written by another version")
                damaged = _damaged_file(path)
                if damaged is not None:
                    raise IndexUnavailable(f"{damaged} does not match its checksum")
                if whoosh_internals.supported():
                    mapped.install()  # segments read from their map, not copied
                try:
                    opened = index.open_dir(str(path))
                except Exception as error:
                    raise IndexUnavailable(f"cannot open the index: {error}") from error
                self._opened = {p: i for p, i in self._opened.items() if p.exists()}
                self._opened[path] = opened
            return opened

    def seal(self, path: Path) -> None:
        """After a commit: record the checksum of each index file. Whoosh
        writes a file once and never changes it, so only new ones are read."""
        known = _read_checksums(path)
        sums = {file.name: known.get(file.name) or _sha256(file) for file in _index_files(path)}
        temporary = path / f"{CHECKSUMS}.tmp"
        temporary.write_text(json.dumps({k: v for k, v in sums.items() if v}), encoding="utf-8")
        os.replace(temporary, path / CHECKSUMS)


def _layout(path: Path) -> int | None:
    try:
        return int(json.loads((path / LAYOUT).read_text(encoding="utf-8"))["version"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _index_files(path: Path) -> list[Path]:
    return sorted(
        file
        for file in path.iterdir()
        if file.name.startswith(("MAIN_", "_MAIN_")) and file.name != "MAIN_WRITELOCK"
    )


def _sha256(file: Path) -> str | None:
    """The file's SHA-256, or None when it is gone (merged away meanwhile)."""
    digest = hashlib.sha256()
    try:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError):
        return None
    return digest.hexdigest()


def _read_checksums(path: Path) -> dict[str, str]:
    try:
        known = json.loads((path / CHECKSUMS).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in known.items()} if isinstance(known, dict) else {}


def _damaged_file(path: Path) -> str | None:
    """The first index file whose bytes changed since it was written (garbage
    that Whoosh would read without noticing, and answer wrongly from)."""
    for name, digest in sorted(_read_checksums(path).items()):
        found = _sha256(path / name)
        if found is not None and found != digest:
            return name
    return None


@contextlib.contextmanager
def _flock(path: Path, timeout: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path.name} is held by another process") from None
                time.sleep(0.005)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
