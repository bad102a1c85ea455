"""The Whoosh index, behind the project's own small interface (the only
module that imports Whoosh: it is unmaintained, and this keeps it swappable).

On disk, under the index root (``instance/search`` by default)::

    CURRENT          the name of the generation in use
    gen-000003/      a Whoosh index, plus state.json (the outbox cursor)
                     and checksums.json (of each index file, checked on opening)
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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import columns, fields, highlight, index
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from notesbase.search import ranking, whoosh_internals
from notesbase.search.analysis import ANALYZER, HIGHLIGHT_ANALYZER, ArrayPositions, analyse
from notesbase.search.query import ParsedQuery
from notesbase.search.ranking import Access
from notesbase.search.segments import Cache, Segment, View
from notesbase.search.whoosh_internals import FastWriter, FileSnapshot

__all__ = ["Access", "Document", "Engine", "EngineResults", "IndexUnavailable", "StoredDoc"]

# Each generation's index files and their SHA-256, checked when a process
# first opens it: Whoosh keeps no checksums of its own.
CHECKSUMS = "checksums.json"
# The index layout this code reads (schema, formats); a generation written
# with another one is rebuilt rather than misread.
LAYOUT = "layout.json"
LAYOUT_VERSION = 3
# Small segments are merged in bands of about the same size, ``MERGE_FACTOR``
# at a time (see ``_full_tiers``), never those of ``LARGE_SEGMENT`` documents
# or more.
MERGE_FACTOR = 8
SMALL_SEGMENT = 10
LARGE_SEGMENT = 5_000


class _NumberColumn(fields.COLUMN):
    """A whole number per document, kept as a column (filters and sorting
    read it for all documents at once) and among the stored fields (the
    hits show it); never indexed as terms."""

    stored = True

    def __init__(self) -> None:
        super().__init__(columns.NumericColumn("i"))


def _text(boost: float = 1.0) -> fields.TEXT:
    field = fields.TEXT(analyzer=ANALYZER, field_boost=boost)
    field.format = ArrayPositions(field_boost=boost)
    return field


def schema() -> fields.Schema:
    """One document per item and distinct audience view, per meeting
    description, per published write-up. Only disclosed text goes in, as
    terms with their positions; what is stored is ids, versions and public
    meeting fields, never text. Only what a search narrows by is indexed as
    a keyword (audiences, series, topics, kind) or kept as a column (meeting
    number, day, and the target id that orders ties), and what a change
    replaces (key, scope)."""
    return fields.Schema(
        doc_id=fields.STORED(),
        # What a change replaces: "item:12", "meeting:3", "writeup:3".
        key=fields.ID(stored=True),
        # Every document of one meeting: "meeting:3".
        scope=fields.ID(),
        doctype=fields.STORED(),
        # The item's or meeting's id, also a column: equal scores are
        # ordered by it (``ranking._stable_keys``).
        target=_NumberColumn(),
        audiences=fields.KEYWORD(stored=True),
        series=fields.ID(stored=True),
        meeting=fields.STORED(),
        number=_NumberColumn(),
        day=_NumberColumn(),
        topics=fields.KEYWORD(stored=True),
        kind=fields.ID(stored=True),
        version=fields.STORED(),
        fingerprint=fields.STORED(),
        title=_text(boost=1.5),
        text=_text(),
    )


class IndexUnavailable(Exception):
    """There is no usable index (missing, corrupt or being rebuilt)."""


class LockTimeout(Exception):
    """Another process holds the writer lock for longer than we wait (or
    Whoosh's own lock, which a writer not yet let go of may still hold)."""


@dataclass(frozen=True)
class StoredDoc:
    """A document as the index holds it: stored fields only, no text.
    ``audiences`` are the audiences that see exactly its text, and
    ``fingerprint`` identifies that text."""

    doc_id: str
    key: str
    doctype: str
    target: int
    audiences: tuple[str, ...]
    series: int
    meeting: int
    number: int
    day: int
    topics: tuple[str, ...]
    kind: str
    version: int
    fingerprint: str

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> StoredDoc:
        return cls(
            doc_id=stored["doc_id"],
            key=stored["key"],
            doctype=stored["doctype"],
            target=int(stored["target"]),
            audiences=tuple(stored["audiences"].split()),
            series=int(stored["series"]),
            meeting=int(stored["meeting"]),
            number=int(stored["number"]),
            day=int(stored["day"]),
            topics=tuple(stored.get("topics", "").split()),
            kind=stored["kind"],
            version=int(stored["version"]),
            fingerprint=stored["fingerprint"],
        )


@dataclass(frozen=True)
class Document(StoredDoc):
    """What is written for one view: the stored fields, and the title and
    text that are indexed but not stored."""

    title: str = ""
    text: str = ""

    @property
    def scope(self) -> str:
        return f"meeting:{self.meeting}"

    def fields(self) -> dict[str, Any]:
        """What Whoosh is given: the stored fields, and the title and text
        as ready-made term lists (``analyse``; a meeting's title is
        analysed once for all its items)."""
        stored = {name: getattr(self, name) for name in StoredDoc.__dataclass_fields__}
        return {
            **stored,
            "scope": self.scope,
            "audiences": " ".join(self.audiences),
            "series": str(self.series),
            "topics": " ".join(self.topics),
            "title": _title_terms(self.title),
            "text": analyse(self.text),
        }


@lru_cache(maxsize=4096)
def _title_terms(title: str) -> list[str]:
    return analyse(title)


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


class Engine:
    """One index root: generations, locks, a reader per thread, and what
    searches have read from each segment (shared by the threads)."""

    def __init__(
        self, root: Path, *, lock_timeout: float = 5.0, cache_bytes: int = 256 << 20
    ) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self.cache = Cache(cache_bytes)
        self._local = threading.local()
        self._write_readers: dict[str, SegmentReader] = {}
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

    # -- writing -----------------------------------------------------------

    def open_index(self, path: Path) -> index.Index:
        with self._open_lock:
            opened = self._opened.get(path)
            if opened is None:
                if _layout(path) != LAYOUT_VERSION:
                    raise IndexUnavailable("the index was written by another version")
                damaged = _damaged_file(path)
                if damaged is not None:
                    raise IndexUnavailable(f"{damaged} does not match its checksum")
                try:
                    opened = index.open_dir(str(path))
                except Exception as error:
                    raise IndexUnavailable(f"cannot open the index: {error}") from error
                self._opened = {p: i for p, i in self._opened.items() if p.exists()}
                self._opened[path] = opened
            return opened

    def write(
        self,
        path: Path,
        replace: Iterable[tuple[str, str]],
        documents: Iterable[Document],
        *,
        optimize: bool = False,
    ) -> bool:
        """Delete every document matching ``replace`` (("key", "item:12") or
        ("scope", "meeting:3")) and add ``documents``, in one commit, as a
        small segment of their own and without merging, so a save never
        waits for one. Returns whether a tier of small segments is full and
        ``merge`` has work. With ``optimize``, every segment is rewritten so
        no deleted text stays on disk (after a purge). Callers hold
        ``writer_lock``."""
        writer = _locked_writer(self.open_index(path), limitmb=64)
        try:
            self._delete(writer, replace)
            for document in documents:
                writer.add_document(**document.fields())
        except BaseException:
            writer.cancel()
            raise
        try:
            if optimize:
                writer.commit(optimize=True)
            else:
                writer.commit(merge=False)
        except BaseException:
            whoosh_internals.abandon(writer)
            raise
        _seal(path)
        return not optimize and bool(_full_tiers(whoosh_internals.segments_after(writer)))

    def _delete(self, writer: IndexWriter, replace: Iterable[tuple[str, str]]) -> None:
        """Mark deleted the documents matching ``replace``, through readers
        kept from one write to the next. Writers take turns
        (``writer_lock``), so one set serves all."""
        kept, self._write_readers = self._write_readers, {}
        self._write_readers = whoosh_internals.delete_matching(writer, kept, list(replace))

    def merge(self, path: Path) -> bool:
        """Merge every full tier of small segments (``_tiered_merge``) in one
        commit; returns whether there was anything to merge. Callers hold
        ``writer_lock``: while a merge runs, saves wait for it or leave their
        change in the outbox for the next apply."""
        opened = self.open_index(path)
        if not _full_tiers(whoosh_internals.index_segments(opened)):
            return False
        writer = _locked_writer(opened, limitmb=64)
        try:
            writer.commit(mergetype=_tiered_merge)
        except BaseException:
            whoosh_internals.abandon(writer)
            raise
        _seal(path)
        return True

    def write_segment(self, path: Path, documents: Iterable[Document]) -> Any:
        """Write ``documents`` into a new segment of the index at ``path``
        without committing it (no lock: each rebuild process writes its
        own), and return the segment for ``commit_segments``. The same steps
        as Whoosh's own multi-process writer, with the documents made in the
        writing process instead of sent to it."""
        return whoosh_internals.write_segment(
            self.open_index(path), (document.fields() for document in documents)
        )

    def commit_segments(self, path: Path, segments: Sequence[Any]) -> None:
        """Add segments written by ``write_segment`` to the index, in one commit."""
        whoosh_internals.commit_segments(_locked_writer(self.open_index(path)), segments)
        _seal(path)

    def stored_documents(self, path: Path | None = None) -> Iterator[StoredDoc]:
        """Every document in the index (for ``notesbase index check``)."""
        path = path or self.current_path()
        if path is None:
            raise IndexUnavailable("there is no index")
        with self.open_index(path).searcher() as searcher:
            for stored in searcher.all_stored_fields():
                yield StoredDoc.from_stored(stored)

    # -- searching -----------------------------------------------------------

    def view(self) -> View:
        """This thread's view of the current generation: a reader per
        segment, reopened only when the index has changed since."""
        path = self.current_path()
        if path is None:
            raise IndexUnavailable("there is no index")
        previous = getattr(self._local, "snapshot", None)
        try:
            if previous is not None and previous.path == path and previous.current():
                return previous.view  # type: ignore[no-any-return]
            self._local.snapshot = None
            files = FileSnapshot(
                path, self.open_index(path), previous.files if previous is not None else None
            )
            snapshot = _Snapshot(files, self.cache)
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

    def analyse(self, text: str) -> list[str]:
        return analyse(text)

    def search(
        self,
        parsed: ParsedQuery,
        access: Access,
        *,
        page: int,
        per_page: int,
        by_date: bool,
        public_only: bool = False,
        stale: tuple[set[str], set[str]] = (set(), set()),
    ) -> EngineResults:
        """One page of hits for ``parsed`` among the documents ``access``
        may see, minus those ``stale`` names (keys, meeting scopes): counts
        and topic counts cover exactly the same documents."""
        view = self.view()
        try:
            ranked = ranking.run(
                view,
                parsed,
                access,
                page=page,
                per_page=per_page,
                by_date=by_date,
                public_only=public_only,
                stale=stale,
            )
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
    """One version of the index as one thread reads it: its segments'
    sources, and the view of them searches run on."""

    def __init__(self, files: FileSnapshot, cache: Cache) -> None:
        self.files = files
        self.path = files.path
        self.view = View([Segment(source, cache) for source in files.sources], cache)

    def current(self) -> bool:
        return self.files.current()

    def close(self) -> None:
        self.files.close()


def _band(documents: int) -> int:
    """Which size band a segment is in: under ``SMALL_SEGMENT`` documents,
    then up to ``MERGE_FACTOR`` times that, and so on."""
    band, limit = 0, SMALL_SEGMENT
    while documents >= limit:
        band, limit = band + 1, limit * MERGE_FACTOR
    return band


def _full_tiers(segments: Sequence[Any]) -> list[Any]:
    """The segments a merge should take: those of the smallest size band
    that holds ``MERGE_FACTOR`` segments or more. Bands are disjoint, so a
    merge takes segments of about the same size and a document is merged
    about once per band; a band fills only after ``MERGE_FACTOR`` merges of
    the one below, so merges stay small and rare and segments few. Segments
    from ``LARGE_SEGMENT`` documents up (a rebuild's) are never merged here."""
    bands: dict[int, list[Any]] = {}
    for segment in segments:
        size = segment.doc_count_all()
        if size < LARGE_SEGMENT:
            bands.setdefault(_band(size), []).append(segment)
    for band in sorted(bands):
        if len(bands[band]) >= MERGE_FACTOR:
            return bands[band]
    return []


def _tiered_merge(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the full tiers (``_full_tiers``) into the
    writer's new segment, keep the rest as they are."""
    chosen = _full_tiers(segments)
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


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


def _seal(path: Path) -> None:
    """After a commit: record the checksum of each index file. Whoosh
    writes a file once and never changes it, so only new ones are read."""
    known = _read_checksums(path)
    sums = {file.name: known.get(file.name) or _sha256(file) for file in _index_files(path)}
    temporary = path / f"{CHECKSUMS}.tmp"
    temporary.write_text(json.dumps({k: v for k, v in sums.items() if v}), encoding="utf-8")
    os.replace(temporary, path / CHECKSUMS)


def _damaged_file(path: Path) -> str | None:
    """The first index file whose bytes changed since it was written (garbage
    that Whoosh would read without noticing, and answer wrongly from)."""
    for name, digest in sorted(_read_checksums(path).items()):
        found = _sha256(path / name)
        if found is not None and found != digest:
            return name
    return None


def _locked_writer(opened: index.Index, **options: Any) -> FastWriter:
    """A writer holding Whoosh's own lock. That lock found taken (a writer
    that a failed commit, or a process being killed, has not let go of yet)
    is a ``LockTimeout`` like the writer lock's: the callers' to retry."""
    try:
        return FastWriter(opened, **options)
    except index.LockError as error:
        raise LockTimeout(f"the index's own write lock is taken ({error or 'busy'})") from None


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
