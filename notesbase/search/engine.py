"""The search index behind the project's own small interface. Whoosh is
unmaintained: the rest of the app reaches it only through ``Engine`` and the
names listed here, so it stays swappable.

The engine's parts, each a module of its own (the only modules that import
Whoosh, with ``analysis``):

- ``schema``: what the index holds, as written and as stored;
- ``storage``: generations, locks, the outbox cursor, checksums;
- ``writing``: saves, merges, a rebuild's segments;
- ``reading``: each thread's view of the index, and a page of a search
  (``segments`` holds what is read from each segment, ``ranking`` runs the
  query over it, neither importing Whoosh);
- ``whoosh_internals``: every use of Whoosh's private internals, written
  for one whoosh-reloaded version; ``whoosh_public``: the same reading and
  writing through Whoosh's public API, for any other version."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from whoosh import index

from notesbase.search.analysis import analyse
from notesbase.search.reading import EngineResults, Reader
from notesbase.search.request import Access, SearchRequest
from notesbase.search.schema import Document, StoredDoc
from notesbase.search.segments import Cache, Segment, View
from notesbase.search.storage import LAYOUT_VERSION, IndexUnavailable, LockTimeout, Storage
from notesbase.search.writing import Writer

__all__ = [
    "LAYOUT_VERSION",
    "Access",
    "Document",
    "Engine",
    "EngineResults",
    "IndexUnavailable",
    "LockTimeout",
    "SearchRequest",
    "StoredDoc",
]


class Engine:
    """One index root: its ``storage`` (generations, locks, state), its
    ``writer`` and its ``reader``. The methods below are theirs, gathered
    so that callers need not know which part does what. With ``internals``
    False, the index is read and written through Whoosh's public API only
    (what the app does on a Whoosh other than the one ``whoosh_internals``
    was written for): slower, the same answers."""

    def __init__(
        self,
        root: Path,
        *,
        lock_timeout: float = 5.0,
        cache_bytes: int = 256 << 20,
        internals: bool = True,
    ) -> None:
        self.storage = Storage(root, lock_timeout=lock_timeout)
        self.writer = Writer(self.storage, internals=internals)
        self.reader = Reader(self.storage, cache_bytes=cache_bytes, internals=internals)

    @property
    def internals(self) -> bool:
        """Whether Whoosh's private internals are used (``whoosh_internals``)."""
        return self.reader.internals

    # -- storage and versions ------------------------------------------------

    @property
    def root(self) -> Path:
        return self.storage.root

    def current_path(self) -> Path | None:
        return self.storage.current_path()

    def new_generation(self) -> Path:
        return self.storage.new_generation()

    def switch_to(self, path: Path) -> None:
        self.storage.switch_to(path)

    def discard(self, path: Path) -> None:
        self.storage.discard(path)

    def writer_lock(self, timeout: float | None = None) -> AbstractContextManager[None]:
        return self.storage.writer_lock(timeout)

    def rebuild_lock(self) -> AbstractContextManager[bool]:
        return self.storage.rebuild_lock()

    def rebuilding_elsewhere(self) -> bool:
        return self.storage.rebuilding_elsewhere()

    def read_state(self, path: Path) -> dict[str, Any]:
        return self.storage.read_state(path)

    def write_state(self, path: Path, state: dict[str, Any]) -> None:
        self.storage.write_state(path, state)

    def open_index(self, path: Path) -> index.Index:
        return self.storage.open_index(path)

    # -- writing -------------------------------------------------------------

    def write(
        self,
        path: Path,
        replace: Iterable[tuple[str, str]],
        documents: Iterable[Document],
        *,
        optimize: bool = False,
    ) -> bool:
        return self.writer.write(path, replace, documents, optimize=optimize)

    def write_many(
        self,
        path: Path,
        replace: list[tuple[str, str]],
        documents: Iterable[Document],
        *,
        optimize: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> bool:
        return self.writer.write_many(
            path, replace, documents, optimize=optimize, progress=progress
        )

    def merge(self, path: Path) -> bool:
        return self.writer.merge(path)

    def write_segment(self, path: Path, documents: Iterable[Document]) -> Any:
        return self.writer.write_segment(path, documents)

    def commit_segments(self, path: Path, segments: Sequence[Any]) -> None:
        self.writer.commit_segments(path, segments)

    # -- reading -------------------------------------------------------------

    @property
    def cache(self) -> Cache:
        return self.reader.cache

    def stored_documents(self, path: Path | None = None) -> Iterator[StoredDoc]:
        return self.reader.stored_documents(path)

    def view(self) -> View:
        return self.reader.view()

    def warm(self) -> None:
        self.reader.warm()

    def segments(self) -> list[Segment]:
        return self.reader.segments()

    def close(self) -> None:
        self.reader.close()

    def analyse(self, text: str) -> list[str]:
        return analyse(text)

    def search(self, request: SearchRequest) -> EngineResults:
        return self.reader.search(request)
