"""Reading a compound segment from its memory map without a copy, part of
``whoosh_internals``.

Whoosh maps each compound segment file (``CompoundStorage``) and hands out
each file inside it (the term index, the postings, the lengths) as a
``BufferFile`` over a view of the map, whose ``BytesIO`` copies the whole
sub-file into the process: every worker held a private copy of the index,
about 260 MB at 100,000 items. ``MappedFile`` reads the same view where it
lies, so the pages stay the operating system's, shared by every worker.
``install`` puts it where ``CompoundStorage.open_file`` looks for
``BufferFile``; nothing else changes (Whoosh's reads by position already
slice the view)."""

from __future__ import annotations

import io
import os
from typing import Any

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile


class _ViewReader(io.RawIOBase):
    """A read-only, seekable file over a memoryview: bytes are copied out
    only as they are read."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self._view = view
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._at + size, len(self._view))
        found = bytes(self._view[self._at : end])
        self._at = max(self._at, end)
        return found

    def readinto(self, buffer: Any) -> int:
        found = self.read(len(buffer))
        buffer[: len(found)] = found
        return len(found)

    def readline(self, size: int | None = -1) -> bytes:
        view = self._view
        end = len(view) if size is None or size < 0 else min(self._at + size, len(view))
        found = bytes(view[self._at : end])
        cut = found.find(b"\n")
        if cut >= 0:
            found = found[: cut + 1]
        self._at += len(found)
        return found

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            at = offset
        elif whence == os.SEEK_CUR:
            at = self._at + offset
        elif whence == os.SEEK_END:
            at = len(self._view) + offset
        else:
            raise ValueError(f"whence {whence}")
        if at < 0:
            raise ValueError("negative seek position")
        self._at = at
        return at

    def tell(self) -> int:
        return self._at


class MappedFile(BufferFile):
    """Whoosh's ``BufferFile`` over a view of a segment's map, read in place."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewReader(buf)


def install() -> None:
    """Make ``CompoundStorage`` hand out ``MappedFile``s (idempotent)."""
    compound.BufferFile = MappedFile  # type: ignore[misc]
