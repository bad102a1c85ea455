"""Files only their owner may read: backups, exports written to disk, the
email outbox. Each is created with its final mode (files 0600, folders
0700) whatever the umask: the mode is given when the file is made, never
set afterwards, so there is no moment when another user could open it.

(A umask can only take bits away from 0600 or 0700; where it takes the
owner's own, they are given back at once, which opens nothing to others.)"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
FOLDER_MODE = 0o700
# Handed to a child process that writes files of its own (pg_dump).
UMASK = 0o077


def make_folder(path: Path, *, exist_ok: bool = False) -> Path:
    """Create the folder ``path`` (its parent must exist), owner-only. With
    ``exist_ok``, a folder already there is made owner-only too."""
    try:
        os.mkdir(path, FOLDER_MODE)
    except FileExistsError:
        if not exist_ok or not path.is_dir():
            raise
    if stat.S_IMODE(os.stat(path).st_mode) != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)
    return path


def _open_new(path: Path) -> int:
    """A new file at ``path``, owner-only from the start; its descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def create_empty(path: Path) -> Path:
    """A new, empty owner-only file, for a program that then writes into it
    (SQLite gives its journal files the mode of the database file)."""
    os.close(_open_new(path))
    return path


def write_new(path: Path, data: bytes | str) -> Path:
    """Write a new owner-only file (``str`` as UTF-8)."""
    fd = _open_new(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@contextmanager
def replacing(path: Path, *, sync: bool = False) -> Iterator[BinaryIO]:
    """Write the owner-only file ``path`` whole or not at all: into a new
    file beside it, renamed over ``path`` once complete. A special file
    there (a terminal, a pipe: ``-o /dev/stdout``) is written into instead."""
    if path.exists() and not path.is_file():
        with open(path, "wb") as handle:
            yield handle
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    fd = _open_new(temporary)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def write_replacing(path: Path, text: str) -> Path:
    """``replacing`` for a whole text (as UTF-8)."""
    with replacing(path) as handle:
        handle.write(text.encode("utf-8"))
    return path
