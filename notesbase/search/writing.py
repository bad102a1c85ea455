"""Writing the index: saves (a small segment each, deletions first),
merges of small segments a band of like sizes at a time, and the segments a
rebuild's processes write side by side and commit together. Callers hold
the storage's writer lock (``Storage.writer_lock``), except the rebuild's
processes, which write segments of their own without a lock."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from notesbase.search import whoosh_internals, whoosh_public
from notesbase.search.schema import Document
from notesbase.search.storage import LockTimeout, Storage
from notesbase.search.whoosh_internals import FastWriter
from notesbase.search.whoosh_internals import purge as whoosh_purge

# Small segments are merged in bands of about the same size, ``MERGE_FACTOR``
# at a time (see ``_full_tiers``), never those of ``LARGE_SEGMENT`` documents
# or more.
MERGE_FACTOR = 8
SMALL_SEGMENT = 10
LARGE_SEGMENT = 5_000
# Documents in each segment ``write_many`` writes (as a rebuild's).
MANY_SEGMENT = 12_000


class Writer:
    """Writes into the generations of one ``Storage``. With ``internals``
    it writes as ``whoosh_internals`` allows (a leaner segment writer,
    deletions looked up through readers kept from one write to the next,
    a rebuild's segments written by several processes at once); else
    through Whoosh's public writer only (``whoosh_public``), a rebuild in
    one process."""

    def __init__(self, storage: Storage, *, internals: bool = True) -> None:
        self.storage = storage
        self.internals = internals
        self._readers: dict[str, SegmentReader] = {}

    @property
    def parallel_segments(self) -> bool:
        """Whether segments may be written outside a commit: by several
        processes at once (a rebuild), or many at once (``write_many``)."""
        return self.internals

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
        ``merge`` has work. With ``optimize``, every segment holding a deleted
        document is rewritten without it (``whoosh_internals.purge.purge_merge``,
        or Whoosh's own merge: ``_purge_merge``), so no deleted text stays on
        disk (after a purge). Callers hold ``writer_lock``."""
        opened = self.storage.open_index(path)
        writer = self._locked_writer(opened, limitmb=64)
        try:
            self._delete(writer, list(replace))
            for document in documents:
                writer.add_document(**document.fields())
        except BaseException:
            writer.cancel()
            raise
        try:
            if optimize and self.internals and whoosh_purge.copies_all(writer.schema):
                writer.commit(mergetype=whoosh_purge.purge_merge)
            elif optimize:
                writer.commit(mergetype=_purge_merge)
            else:
                writer.commit(merge=False)
        except BaseException:
            whoosh_internals.abandon(writer)
            raise
        self.storage.seal(path)
        if optimize:
            return False
        if self.internals:
            return bool(_full_tiers(whoosh_internals.segments_after(writer)))
        return bool(_full_tiers(whoosh_public.segments(opened)))

    def write_many(
        self,
        path: Path,
        replace: list[tuple[str, str]],
        documents: Iterable[Document],
        *,
        optimize: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> bool:
        """``write`` for much work at once (a retention run, a bulk change):
        ``documents`` go into segments of ``MANY_SEGMENT`` documents, as a
        rebuild writes them, and one commit then deletes what ``replace``
        names (filled in as ``documents`` are read), rewrites with
        ``optimize`` every segment holding a deleted document, and adds the
        new segments. Written a ``write`` at a time, the same work would be
        a small segment per commit, all merged again through Whoosh's own
        merge, a posting at a time. ``progress`` hears of each segment
        written and of the commit. Needs ``parallel_segments`` (the segments
        are written as a rebuild's processes write theirs). Callers hold
        ``writer_lock``."""
        opened = self.storage.open_index(path)
        written: list[Any] = []
        final: list[Any] = []

        def policy(writer: IndexWriter, segments: list[Any]) -> list[Any]:
            kept = list(segments)
            if optimize and whoosh_purge.copies_all(writer.schema):
                kept = whoosh_purge.purge_merge(writer, segments)
            elif optimize:
                kept = _purge_merge(writer, segments)
            final[:] = [*kept, *written]
            return list(final)

        tell = progress or (lambda _line: None)
        try:
            stream = iter(documents)
            count = 0
            while True:
                batch = (d.fields() for d in itertools.islice(stream, MANY_SEGMENT))
                segment = whoosh_internals.write_segment(opened, batch)
                if segment is None:
                    break
                written.append(segment)
                count += segment.doc_count_all()
                tell(f"search index: {count:,} documents written …")
            tell(
                "search index: taking out the documents replaced"
                + (" and rewriting the segments that held them …" if optimize else " …")
            )
            writer = self._locked_writer(opened, limitmb=64)
            try:
                self._delete(writer, replace)
            except BaseException:
                writer.cancel()
                raise
            try:
                writer.commit(mergetype=policy)
            except BaseException:
                whoosh_internals.abandon(writer)
                raise
        except BaseException:
            for segment in written:
                whoosh_internals.remove_segment(opened.storage, segment)
            raise
        self.storage.seal(path)
        return not optimize and bool(_full_tiers(final))

    def _delete(self, writer: IndexWriter, replace: list[tuple[str, str]]) -> None:
        """Mark deleted the documents matching ``replace``. Writers take
        turns (``writer_lock``), so one set of kept readers serves all."""
        if not self.internals:
            whoosh_public.delete_matching(writer, replace)
            return
        kept, self._readers = self._readers, {}
        self._readers = whoosh_internals.delete_matching(writer, kept, replace)

    def merge(self, path: Path) -> bool:
        """Merge every full tier of small segments (``_tiered_merge``) in one
        commit; returns whether there was anything to merge. Callers hold
        ``writer_lock``: while a merge runs, saves wait for it or leave their
        change in the outbox for the next apply."""
        opened = self.storage.open_index(path)
        if self.internals:
            segments = whoosh_internals.index_segments(opened)
        else:
            segments = whoosh_public.segments(opened)
        if not _full_tiers(segments):
            return False
        writer = self._locked_writer(opened, limitmb=64)
        try:
            writer.commit(mergetype=_tiered_merge)
        except BaseException:
            whoosh_internals.abandon(writer)
            raise
        self.storage.seal(path)
        return True

    def write_segment(self, path: Path, documents: Iterable[Document]) -> Any:
        """Write ``documents`` into a new segment of the index at ``path``
        and return it for ``commit_segments`` (None when there were none):
        without a lock or a commit, so each of a rebuild's processes writes
        its own (``parallel_segments``). Through the public writer the
        documents are committed at once, and None is returned."""
        fields = (document.fields() for document in documents)
        opened = self.storage.open_index(path)
        if self.internals:
            return whoosh_internals.write_segment(opened, fields)
        writer = self._locked_writer(opened, limitmb=1024)
        try:
            for one in fields:
                writer.add_document(**one)
            writer.commit(merge=False)
        except BaseException:
            whoosh_internals.abandon(writer)
            raise
        self.storage.seal(path)
        return None

    def commit_segments(self, path: Path, segments: Sequence[Any]) -> None:
        """Add segments written by ``write_segment`` to the index, in one commit."""
        if not segments and not self.internals:
            return
        opened = self.storage.open_index(path)
        whoosh_internals.commit_segments(self._locked_writer(opened), segments)
        self.storage.seal(path)

    def _locked_writer(self, opened: index.Index, **options: Any) -> IndexWriter:
        """A writer holding Whoosh's own lock. That lock found taken (a
        writer that a failed commit, or a process being killed, has not let
        go of yet) is a ``LockTimeout`` like the writer lock's: the callers'
        to retry."""
        try:
            if self.internals:
                return FastWriter(opened, **options)
            return opened.writer(**options)
        except index.LockError as error:
            raise LockTimeout(f"the index's own write lock is taken ({error or 'busy'})") from None


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


def _purge_merge(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy after a purge: a segment with deleted documents
    is rewritten into the writer's new segment without them (a segment all
    of whose documents were deleted is simply dropped, its files with it);
    a segment with none is kept as it is. So no deleted text stays on disk,
    and only what held some is rewritten."""
    kept = []
    for segment in segments:
        if not segment.has_deletions():
            kept.append(segment)
        elif segment.doc_count() > 0:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    return kept


def _tiered_merge(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the full tiers (``_full_tiers``) into the
    writer's new segment, keep the rest as they are."""
    chosen = _full_tiers(segments)
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]
