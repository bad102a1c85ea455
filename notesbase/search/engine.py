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
from pathlib import Path
from typing import Any

from whoosh import fields, highlight, index, sorting
from whoosh import query as wq
from whoosh.analysis import StemmingAnalyzer
from whoosh.writing import IndexWriter

from notesbase.search.query import AnyOf, Clause, Filters, ParsedQuery, Phrase, Prefix, Term, Word

MAX_PREFIX_EXPANSIONS = 64
# Each generation's index files and their SHA-256, checked when a process
# first opens it: Whoosh keeps no checksums of its own.
CHECKSUMS = "checksums.json"
_ANALYZER = StemmingAnalyzer()


def schema() -> fields.Schema:
    """One document per item and distinct audience view, per meeting
    description, per published write-up. Only disclosed text goes in; what
    is stored is ids, versions and public meeting fields, never text."""
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        # What a change replaces: "item:12", "meeting:3", "writeup:3".
        key=fields.ID(stored=True),
        # Every document of one meeting: "meeting:3".
        scope=fields.ID(stored=True),
        doctype=fields.ID(stored=True),
        target=fields.NUMERIC(int, stored=True),
        audiences=fields.KEYWORD(stored=True),
        series=fields.ID(stored=True),
        meeting=fields.NUMERIC(int, stored=True),
        number=fields.NUMERIC(int, stored=True, sortable=True),
        day=fields.NUMERIC(int, stored=True, sortable=True),
        topics=fields.KEYWORD(stored=True, lowercase=True),
        kind=fields.ID(stored=True),
        version=fields.NUMERIC(int, stored=True),
        fingerprint=fields.ID(stored=True),
        title=fields.TEXT(analyzer=_ANALYZER, field_boost=1.5),
        text=fields.TEXT(analyzer=_ANALYZER),
    )


class IndexUnavailable(Exception):
    """There is no usable index (missing, corrupt or being rebuilt)."""


class LockTimeout(Exception):
    """Another process holds the writer lock for longer than we wait."""


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
        stored = {name: getattr(self, name) for name in StoredDoc.__dataclass_fields__}
        return {
            **stored,
            "scope": self.scope,
            "audiences": " ".join(self.audiences),
            "series": str(self.series),
            "topics": " ".join(self.topics),
            "title": self.title,
            "text": self.text,
        }


@dataclass(frozen=True)
class Access:
    """Who is searching: the audiences they read each series as, and whether
    they see what every audience sees (public documents)."""

    by_series: tuple[tuple[int, str], ...]


@dataclass
class EngineResults:
    total: int
    docs: list[StoredDoc]
    topic_counts: dict[str, int]
    _results: Any
    _start: int = 0

    def highlight(self, position: int, text: str, *, top: int = 2) -> str:
        """Highlighted fragments of ``text`` (the current disclosed text, not
        anything stored) for the hit at ``position`` on this page: HTML
        with <mark>."""
        hit = self._results[self._start + position]
        return str(hit.highlights("text", text=text, top=top))


class Engine:
    """One index root: generations, locks, a reused searcher per thread."""

    def __init__(self, root: Path, *, lock_timeout: float = 5.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._local = threading.local()
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
        procs: int = 1,
        optimize: bool = False,
    ) -> None:
        """Delete every document matching ``replace`` (("key", "item:12") or
        ("scope", "meeting:3")) and add ``documents``, in one commit. With
        ``optimize``, every segment is rewritten so no deleted text stays on
        disk (after a purge). Callers hold ``writer_lock``."""
        writer: IndexWriter = self.open_index(path).writer(
            procs=procs, limitmb=128 if procs == 1 else 256, multisegment=procs > 1
        )
        try:
            for name, value in replace:
                writer.delete_by_term(name, value)
            for document in documents:
                writer.add_document(**document.fields())
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.commit(optimize=optimize)
        except BaseException:
            _abandon(writer)
            raise
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

    def searcher(self) -> Any:
        """This thread's searcher on the current generation, refreshed only
        when the index has changed since it was opened."""
        path = self.current_path()
        if path is None:
            raise IndexUnavailable("there is no index")
        cached = getattr(self._local, "searchers", None)
        if cached is None:
            cached = self._local.searchers = {}
        searcher = cached.get(path)
        try:
            if searcher is None:
                for other in list(cached):
                    cached.pop(other).close()
                searcher = cached[path] = self.open_index(path).searcher()
            elif not searcher.up_to_date():
                # Not ``refresh()``: whoosh-reloaded 2.7.5 reuses the old
                # segment readers there, with their old deletions (and adds
                # merged-away segments back), so replaced documents still
                # match and are counted.
                cached.pop(path).close()
                searcher = cached[path] = self.open_index(path).searcher()
        except IndexUnavailable:
            raise
        except Exception as error:
            cached.pop(path, None)
            raise IndexUnavailable(f"cannot read the index: {error}") from error
        return searcher

    def analyse(self, text: str) -> list[str]:
        return [token.text for token in _ANALYZER(text)]

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
        searcher = self.searcher()
        try:
            # Which documents count: sets of document numbers, worked out
            # with Whoosh's matchers (no scoring) and cached per searcher
            # where they depend only on the reader.
            cache = _cache(searcher)
            within = self._allowed(searcher, cache, access, public_only)
            narrowing = self._filters(parsed.filters)
            if narrowing:
                within = within & set(searcher.docs_for_query(wq.And(narrowing)))
            keys, scopes = stale
            if keys or scopes:
                waiting = [
                    *(wq.Term("key", key) for key in sorted(keys)),
                    *(wq.Term("scope", scope) for scope in sorted(scopes)),
                ]
                within = within - set(searcher.docs_for_query(wq.Or(waiting)))
            scope = _Scope(searcher, within)
            words = self._words(parsed, scope)
            main: wq.Query = words if words is not None else wq.Every()
            if parsed.excluded:
                main = wq.AndNot(main, wq.Or([self._term(t, scope) for t in parsed.excluded]))
            matched = within if words is None and not parsed.excluded else None
            if matched is None:
                matched = within & set(searcher.docs_for_query(main))
            # Only the top of the page is scored (Whoosh skips the rest).
            options: dict[str, Any] = {"filter": matched, "limit": page * per_page}
            if by_date or words is None:
                options["sortedby"] = [sorting.FieldFacet("day", reverse=True), "number"]
            results = searcher.search(main, **options) if matched else None
            start = (page - 1) * per_page
            hits = list(range(start, min(len(matched), page * per_page))) if results else []
            if results is not None:
                results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
                results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=70)
                hits = hits[: max(0, results.scored_length() - start)]
            docs = [StoredDoc.from_stored(results[i].fields()) for i in hits] if results else []
            return EngineResults(
                total=len(matched),
                docs=docs,
                topic_counts=self._topic_counts(searcher, cache, matched),
                _results=results,
                _start=start,
            )
        except (IndexUnavailable, ValueError):
            raise
        except Exception as error:  # a damaged segment shows up here
            raise IndexUnavailable(f"cannot read the index: {error}") from error

    # -- query building ------------------------------------------------------

    def _words(self, parsed: ParsedQuery, scope: _Scope) -> wq.Query | None:
        clauses = [self._clause(clause, scope) for clause in parsed.required]
        clauses = [c for c in clauses if c is not None]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else wq.And(clauses)

    def _clause(self, clause: Clause, scope: _Scope) -> wq.Query | None:
        if isinstance(clause, AnyOf):
            options = [self._term(option, scope) for option in clause.options]
            return wq.Or(options)
        return self._term(clause, scope)

    def _term(self, term: Term, scope: _Scope) -> wq.Query:
        if isinstance(term, Word):
            tokens = self.analyse(term.text)
            if not tokens:
                return wq.NullQuery
            if len(tokens) > 1:
                return self._phrase(tokens)
            return wq.Or([wq.Term("text", tokens[0]), wq.Term("title", tokens[0])])
        if isinstance(term, Phrase):
            tokens = self.analyse(" ".join(term.words))
            if not tokens:
                return wq.NullQuery
            return self._phrase(tokens) if len(tokens) > 1 else self._term(Word(tokens[0]), scope)
        assert isinstance(term, Prefix)
        # Words are indexed stemmed ("survey" as "survei"): look for both.
        prefixes = {term.text, *self.analyse(term.text)}
        return wq.Or(
            [
                wq.Term(name, word)
                for name in ("text", "title")
                for word in scope.expand(name, prefixes)
            ]
        )

    @staticmethod
    def _phrase(tokens: Sequence[str]) -> wq.Query:
        return wq.Or([wq.Phrase("text", list(tokens)), wq.Phrase("title", list(tokens))])

    def _allowed(
        self, searcher: Any, cache: dict[Any, Any], access: Access, public_only: bool
    ) -> set[int]:
        """The documents this reader may see, once per searcher (a new one
        after every write) and reader."""
        key = ("allowed", access, public_only)
        if key not in cache:
            if len(cache) >= 256:
                cache.clear()
            cache[key] = set(searcher.docs_for_query(self._access(access, public_only)))
        return cache[key]  # type: ignore[no-any-return]

    @staticmethod
    def _topic_counts(searcher: Any, cache: dict[Any, Any], matched: set[int]) -> dict[str, int]:
        """How many of ``matched`` carry each topic (set intersections)."""
        if not matched:
            return {}
        topics = cache.get("topics")
        if topics is None:
            reader = searcher.reader()
            topics = cache["topics"] = {
                (raw.decode("utf-8") if isinstance(raw, bytes) else raw): set(
                    searcher.docs_for_query(wq.Term("topics", raw))
                )
                for raw in reader.lexicon("topics")
            }
        counts = {slug: len(matched & docs) for slug, docs in topics.items()}
        return {slug: count for slug, count in counts.items() if count}

    @staticmethod
    def _access(access: Access, public_only: bool) -> wq.Query:
        options: list[wq.Query] = [wq.Term("audiences", "public")]
        if not public_only:
            options.extend(
                wq.And([wq.Term("series", str(series)), wq.Term("audiences", audience)])
                for series, audience in access.by_series
            )
        return wq.Or(options)

    @staticmethod
    def _filters(filters: Filters) -> list[wq.Query]:
        parts: list[wq.Query] = []
        if filters.series:
            parts.append(wq.Or([wq.Term("series", s) for s in filters.series]))
        if filters.topics:
            parts.extend(wq.Term("topics", topic) for topic in filters.topics)
        if filters.kinds:
            parts.append(wq.Or([wq.Term("kind", kind) for kind in filters.kinds]))
        if filters.number_from is not None or filters.number_to is not None:
            parts.append(wq.NumericRange("number", filters.number_from, filters.number_to))
        if filters.date_from is not None or filters.date_to is not None:
            low = filters.date_from.toordinal() if filters.date_from else None
            high = filters.date_to.toordinal() if filters.date_to else None
            parts.append(wq.NumericRange("day", low, high))
        return parts


class _Scope:
    """The documents one reader may search, for expanding prefixes: the
    words offered are ranked by how often they occur there, so words the
    reader cannot see never crowd out the ones they can."""

    def __init__(self, searcher: Any, within: set[int]) -> None:
        self.searcher = searcher
        self.within = within

    def allowed(self) -> set[int]:
        return self.within

    def expand(self, name: str, prefixes: set[str]) -> list[str]:
        """The words starting with any of ``prefixes`` in the reader's
        documents: at most ``MAX_PREFIX_EXPANSIONS``, the most frequent,
        from a bounded number of candidates, so a short prefix cannot blow up."""
        reader = self.searcher.reader()
        allowed = self.allowed()
        counts: dict[str, int] = {}
        for prefix in sorted(prefixes):
            for seen, raw in enumerate(reader.expand_prefix(name, prefix)):
                if seen >= MAX_PREFIX_EXPANSIONS * 8:
                    break
                word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                postings = reader.postings(name, word)
                count = sum(1 for doc in postings.all_ids() if doc in allowed)
                if count:
                    counts[word] = count
        ranked = sorted(counts, key=lambda word: (-counts[word], word))
        return ranked[:MAX_PREFIX_EXPANSIONS]


def _cache(searcher: Any) -> dict[Any, Any]:
    """Per-searcher memo (a searcher is replaced after every write)."""
    cache: dict[Any, Any] = searcher.__dict__.setdefault("_notesbase_cache", {})
    return cache


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


def _abandon(writer: IndexWriter) -> None:
    """After a failed commit (a full disk): close the writer's files and let
    go of Whoosh's own index lock now. Left to the garbage collector (the
    writer sits in reference cycles), the lock stays held and every later
    write, in this process or another, fails until the collector runs."""
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()


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
