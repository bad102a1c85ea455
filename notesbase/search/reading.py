"""Reading the index: each thread's view of the current generation (its
segments' sources, reopened only when the index has changed), warming it,
and one page of a search as stored documents with their highlights."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import highlight

from notesbase.search import ranking
from notesbase.search.analysis import HIGHLIGHT_ANALYZER
from notesbase.search.request import SearchRequest
from notesbase.search.schema import StoredDoc
from notesbase.search.segments import Cache, Segment, View
from notesbase.search.storage import IndexUnavailable, Storage
from notesbase.search.whoosh_internals import FileSnapshot
from notesbase.search.whoosh_public import PublicSnapshot


@dataclass
class EngineResults:
    """One page of hits, the total and the topic counts of a search; the
    hits are highlighted from text the caller passes in (the current
    disclosed text), never from anything stored."""

    total: int
    docs: list[StoredDoc]
    topic_counts: dict[str, int]
    terms: frozenset[str] = frozenset()

    def highlight(self, position: int, text: str, *, top: int = 2) -> str:
        """Highlighted fragments of ``text`` for the hit at ``position``:
        HTML with <mark>, or "" when none of the query's words are in it."""
        if not self.terms or not text:
            return ""
        return str(
            highlight.highlight(
                text,
                self.terms,
                HIGHLIGHT_ANALYZER,
                highlight.ContextFragmenter(maxchars=240, surround=70),
                highlight.HtmlFormatter(tagname="mark", between=" … "),
                top=top,
            )
        )


class Reader:
    """Reads the current generation of one ``Storage``: a snapshot per
    thread, and what searches have read from each segment (shared by the
    threads). With ``internals``, segments are read straight from Whoosh's
    files (``whoosh_internals``), else through its public searcher
    (``whoosh_public``): the same answers, more slowly."""

    def __init__(
        self, storage: Storage, *, cache_bytes: int = 256 << 20, internals: bool = True
    ) -> None:
        self.storage = storage
        self.cache = Cache(cache_bytes)
        self.internals = internals
        self._local = threading.local()

    def stored_documents(self, path: Path | None = None) -> Iterator[StoredDoc]:
        """Every document in the index (for ``notesbase index check``)."""
        path = path or self.storage.current_path()
        if path is None:
            raise IndexUnavailable("there is no index")
        with self.storage.open_index(path).searcher() as searcher:
            for stored in searcher.all_stored_fields():
                yield StoredDoc.from_stored(stored)

    def view(self) -> View:
        """This thread's view of the current generation: a reader per
        segment, reopened only when the index has changed since."""
        path = self.storage.current_path()
        if path is None:
            raise IndexUnavailable("there is no index")
        previous = getattr(self._local, "snapshot", None)
        try:
            if previous is not None and previous.path == path and previous.current():
                return previous.view  # type: ignore[no-any-return]
            self._local.snapshot = None
            opened = self.storage.open_index(path)
            kind = FileSnapshot if self.internals else PublicSnapshot
            readers = kind(path, opened, previous.readers if previous is not None else None)
            snapshot = _Snapshot(readers, self.cache)
        except IndexUnavailable:
            raise
        except Exception as error:
            if previous is not None:
                previous.close()
            raise IndexUnavailable(f"cannot read the index: {error}") from error
        self._local.snapshot = snapshot
        names = snapshot.view.names
        self.cache.forget(lambda key: isinstance(key, tuple) and key[0] in names)
        return snapshot.view

    def warm(self) -> None:
        """Open the current generation (checking its files) and read what
        every search needs, so the next search pays only for its words."""
        ranking.warm(self.view())

    def segments(self) -> list[Segment]:
        return self.view().segments

    def close(self) -> None:
        """Close this thread's readers."""
        snapshot = getattr(self._local, "snapshot", None)
        if snapshot is not None:
            snapshot.close()
            self._local.snapshot = None

    def search(self, request: SearchRequest) -> EngineResults:
        """One page of hits for ``request``: counts and topic counts cover
        exactly the documents it may find."""
        view = self.view()
        try:
            ranked = ranking.run(view, request)
            docs = [
                StoredDoc.from_stored(segment.source.stored_fields(docnum))
                for segment, docnum in ranked.hits
            ]
        except (IndexUnavailable, ValueError):
            raise
        except Exception as error:  # a damaged segment shows up here
            self.close()
            raise IndexUnavailable(f"cannot read the index: {error}") from error
        return EngineResults(ranked.total, docs, ranked.topic_counts, ranked.terms)


class _Snapshot:
    """One version of the index as one thread reads it: Whoosh's readers of
    its segments (straight from the files, or through the public API), and
    the view of them searches run on."""

    def __init__(self, readers: FileSnapshot | PublicSnapshot, cache: Cache) -> None:
        self.readers = readers
        self.path = readers.path
        self.view = View([Segment(source, cache) for source in readers.sources], cache)

    def current(self) -> bool:
        return self.readers.current()

    def close(self) -> None:
        self.readers.close()
