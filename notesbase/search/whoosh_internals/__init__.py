"""Every use of Whoosh's private internals, in one place.

Written against whoosh-reloaded 2.7.5 exactly (``WRITTEN_FOR``) and used only
when that version is installed: the app checks at start-up (``supported``)
and, on any other version, reads and writes the index through Whoosh's
public API instead (``whoosh_public``): slower, the same answers.

What reaches inside, and why:

- reading (``FileSnapshot``, ``FileSegment``): a term's postings a whole
  block at a time (``postings``: ``reader._terms``,
  ``W3LeafMatcher._read_data``), or from the segment's postings pack, columns
  and field lengths as raw bytes (``reader._perdoc._get_column_file``), and
  the table of contents (``ix._read_toc``), so a segment's reader outlives
  the commits that leave it alone. Whoosh's own matchers walk postings one
  document at a time in Python; this is what keeps counts, topic counts and
  phrases cheap at 100,000 items;
- writing (``FastWriter``, ``delete_matching``, ``write_segment``,
  ``commit_segments``): a segment writer that records each posting block's
  shortest and longest document from the segment's length columns read
  once, not one posting at a time (``_flush_segment``, ``perdoc``),
  deletions looked up
  through readers kept from one write to the next (``writer.segments``),
  the steps of Whoosh's multi-process writer (``_finalize_segment``,
  ``_commit_toc``, ``_finish``) so rebuild workers make their own documents,
  and letting go of Whoosh's lock after a failed commit (``writelock``);
  each big segment packed before the commit that shows it (``packing``,
  from ``_commit_toc`` and a rebuild process's ``write_segment``);
- mapping (``mapped``): each file inside a compound segment read in place
  from Whoosh's memory map of it, where Whoosh's ``BufferFile`` copies it
  whole into the process;
- purging (``whoosh_internals.purge``): a merge policy that rewrites each
  segment holding a deleted document without it, from its files into
  files written as Whoosh's codec writes them. Whoosh's ``add_reader``
  passes every posting through Python one at a time."""

from __future__ import annotations

import contextlib
import importlib.metadata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import whoosh
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexWriter, SegmentWriter

from notesbase.search import packs
from notesbase.search.segments import Postings
from notesbase.search.whoosh_internals import packing
from notesbase.search.whoosh_internals.postings import (
    packed_at,
    prefix_frequencies,
    read_postings,
    term_info,
)

WRITTEN_FOR = "2.7.5"
DISTRIBUTION = "whoosh-reloaded"


def installed_version() -> str:
    """The installed Whoosh, as "whoosh-reloaded 2.7.5" (or what it is
    instead: plain Whoosh imports under the same name)."""
    try:
        return f"{DISTRIBUTION} {importlib.metadata.version(DISTRIBUTION)}"
    except importlib.metadata.PackageNotFoundError:
        return f"Whoosh {whoosh.versionstring()} (not {DISTRIBUTION})"


def supported() -> bool:
    """Whether the installed Whoosh is the one this module was written for
    (the distribution and the module it imports agree)."""
    return (
        installed_version() == f"{DISTRIBUTION} {WRITTEN_FOR}"
        and whoosh.versionstring() == WRITTEN_FOR
    )


# -- reading ---------------------------------------------------------------------

# Whoosh keeps a field's length per document as one byte; this turns the
# bytes back into the lengths they stand for.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def column_array(reader: SegmentReader, name: str, dtype: str, default: int = 0) -> np.ndarray:
    """A fixed-width column of this segment (Whoosh writes them big-endian
    and leaves trailing default values out) as an array, one per document."""
    return _column(reader._perdoc, reader.doc_count_all(), name, dtype, default)


def _column(perdoc: Any, count: int, name: str, dtype: str, default: int = 0) -> np.ndarray:
    """``column_array`` from a segment's per-document reader: the column's
    file is opened, copied from and closed."""
    values = np.full(count, default, dtype=np.dtype(dtype).newbyteorder("="))
    if perdoc.has_column(name):
        handle, offset, length = perdoc._get_column_file(name)
        try:
            raw = np.frombuffer(handle.get(offset, length), dtype=dtype)
            values[: len(raw)] = raw
        finally:
            handle.close()
    return values


class FileSegment:
    """One segment read straight from its files: a ``segments.Source``.
    Postings include deleted documents, so what is read from a segment
    never changes and its ``id`` is the segment's own. ``pack``: its
    postings pack, when it has one that holds together."""

    def __init__(self, reader: SegmentReader, entry: Any, pack: packs.Pack | None = None) -> None:
        self.reader = reader
        self.entry = entry
        self.pack = pack
        self.id: str = entry.segment_id()
        self.size: int = entry.doc_count_all()
        self.deleted_count: int = entry.deleted_count()

    def postings(self, field: str, term: str) -> Postings:
        return read_postings(self.reader, field, term)

    def shared_postings(self, field: str, term: str, at: int | None = None) -> Postings | None:
        """The term's postings as they lie in the segment's pack (views of
        the mapped file, shared by every process), or None when the pack
        does not hold them. ``at``: where they start in the postings file,
        when known (``prefix_frequencies``)."""
        if self.pack is None:
            return None
        if at is None:
            info = term_info(self.reader, field, term)
            at = None if info is None else packed_at(info)
        return None if at is None else self.pack.get(at)

    def keeps(self, field: str) -> bool:
        """With a pack, the terms it left out are too rare to keep."""
        return self.pack is None

    def column(self, name: str) -> np.ndarray:
        return column_array(self.reader, name, ">i4")

    def lengths(self, field: str) -> np.ndarray:
        return _LENGTHS[column_array(self.reader, f"_{field}_len", "u1")]

    def deleted(self) -> np.ndarray:
        return np.fromiter(self.entry.deleted_docs(), dtype=np.int64)

    def words(self, field: str) -> Iterator[str]:
        for raw in self.reader.lexicon(field):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

    def prefix_frequencies(self, field: str, prefix: str) -> Iterator[tuple[str, int, int | None]]:
        return prefix_frequencies(self.reader, field, prefix)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return dict(self.reader.stored_fields(docnum))


class FileSnapshot:
    """The segments of one version of the index as one thread reads them.
    Readers of segments that are still there are taken over from the
    previous snapshot (opening one costs about a millisecond, and a save
    adds one small segment), with the new table of contents' entries, so
    deletions are always the current ones."""

    def __init__(self, path: Path, opened: index.Index, previous: Any) -> None:
        self.path = path
        self.index = opened
        toc = opened._read_toc()
        self.generation = toc.generation
        kept: dict[str, SegmentReader] = {}
        if isinstance(previous, FileSnapshot) and previous.path == path:
            kept = previous.readers
        self.readers: dict[str, SegmentReader] = {}
        self.sources: list[FileSegment] = []
        try:
            for entry in toc.segments:
                if not entry.doc_count_all():
                    continue
                name = entry.segment_id()
                reader = kept.pop(name, None) or SegmentReader(
                    opened.storage, toc.schema, entry, generation=toc.generation
                )
                self.readers[name] = reader
                pack = packs.opened(Path(path), name, entry.doc_count_all())
                self.sources.append(FileSegment(reader, entry, pack))
            packs.forget(Path(path), keep=set(self.readers))
        except BaseException:
            self.close()
            raise
        finally:
            for reader in kept.values():
                reader.close()

    def current(self) -> bool:
        return bool(self.generation == self.index.latest_generation())

    def close(self) -> None:
        for reader in self.readers.values():
            with contextlib.suppress(Exception):
                reader.close()
        self.readers = {}


# -- writing ---------------------------------------------------------------------


class SegmentLengths:
    """Each document's field lengths as Whoosh's per-document reader gives
    them to a segment's posting writer (``doc_field_length``), from each
    field's length column read once rather than a byte at a time: the
    blocks then record the same shortest and longest lengths as Whoosh's
    own writer, which Whoosh's searcher uses to skip blocks that cannot
    reach the top results (the fallback, ``whoosh_public``)."""

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._count = perdoc.doc_count_all()
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            lengths = self._fields[fieldname] = self._read(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def _read(self, fieldname: str) -> list[int]:
        # Whoosh's name for a field's length column; a byte of 0 is no
        # length, which Whoosh's writer leaves out of the block.
        values = _column(self._perdoc, self._count, f"_{fieldname}_len", "u1")
        return _WHOLE_LENGTHS[values].tolist()


_WHOLE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


class FastWriter(SegmentWriter):
    """Whoosh's segment writer, minus one cost: while writing postings it
    looks up each posting's document length, reading it back from the
    segment's own length column one posting at a time, to record the
    shortest and longest per block for Whoosh's score estimates. Here the
    columns are read once per segment instead (``SegmentLengths``): the
    same statistics in the files, for less time per posting."""

    def __init__(self, ix: index.Index, **kwargs: Any) -> None:
        # Posting blocks are compressed at zlib's fastest level (Whoosh's
        # default is 3): the same size here, a few per cent less time to
        # write; each block records its level, so readers need no setting.
        kwargs.setdefault("codec", W3Codec(compression=1))
        super().__init__(ix, **kwargs)
        self.opened_with = {entry.segment_id() for entry in self.segments}

    def _commit_toc(self, segments: list[Any]) -> None:
        """Pack the segments this commit brings (a merge's, a purge's, a
        rebuild's when its process did not) before any reader can see them
        (``packing``), then commit as Whoosh does."""
        new = [entry for entry in segments if entry.segment_id() not in self.opened_with]
        packing.pack_all(Path(self.storage.folder), self.schema, new)
        super()._commit_toc(segments)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            lengths = SegmentLengths(perdoc)
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        finally:
            perdoc.close()
        self.fieldwriter.close()


def index_segments(opened: index.Index) -> list[Any]:
    """The segments of the index's latest version."""
    return list(opened._segments())


def segments_after(writer: IndexWriter) -> list[Any]:
    """The segments a commit of ``writer`` without merging leaves."""
    return [*writer.segments, writer.newsegment]


def delete_matching(
    writer: IndexWriter, kept: dict[str, SegmentReader], replace: Sequence[tuple[str, str]]
) -> dict[str, SegmentReader]:
    """Mark deleted the documents matching ``replace``, looked up in each
    segment's term index through the readers ``kept`` from the last write
    (Whoosh's ``delete_by_term`` opens a reader on every segment each
    time); returns the readers to keep for the next one."""
    readers: dict[str, SegmentReader] = {}
    try:
        offset = 0
        for entry in writer.segments:
            name = entry.segment_id()
            reader = kept.pop(name, None) or SegmentReader(writer.storage, writer.schema, entry)
            readers[name] = reader
            for field, value in replace:
                for docnum in read_postings(reader, field, value).ids.tolist():
                    if not entry.is_deleted(docnum):
                        writer.delete_document(offset + docnum)
            offset += entry.doc_count_all()
    finally:
        for reader in kept.values():
            reader.close()
    return readers


def write_segment(opened: index.Index, documents: Iterable[dict[str, Any]]) -> Any:
    """Write ``documents`` (fields as Whoosh is given them) into a new
    segment of ``opened`` without committing it (no lock: each rebuild
    process writes its own), and return the segment for
    ``commit_segments``, or None when there were none. The same steps as
    Whoosh's own multi-process writer, with the documents made in the
    writing process instead of sent to it."""
    writer = FastWriter(opened, _lk=False, limitmb=1024)
    try:
        for fields in documents:
            writer.add_document(**fields)
        if writer._added:
            segment = writer._finalize_segment()
            packing.pack_all(Path(opened.storage.folder), opened.schema, [segment])
            return segment
        writer._close_segment()
        return None
    except BaseException:
        with contextlib.suppress(Exception):
            writer._close_segment()
        raise
    # The temporary folder is shared with the other writing processes:
    # the commit removes it (``commit_segments``).


def commit_segments(writer: IndexWriter, segments: Sequence[Any]) -> None:
    """Add segments written by ``write_segment`` to the index in one commit
    of ``writer`` (which holds Whoosh's lock)."""
    try:
        writer._close_segment()
        writer._commit_toc([*writer.segments, *segments])
    except BaseException:
        abandon(writer)
        raise
    writer._finish()


def remove_segment(storage: Any, segment: Any) -> None:
    """Delete the files of a segment no commit holds (one written for a
    commit that then failed), its postings pack with them."""
    for name in segment.list_files(storage):
        with contextlib.suppress(OSError):
            storage.delete_file(name)
    with contextlib.suppress(OSError):
        packs.pack_path(Path(storage.folder), segment.segment_id()).unlink(missing_ok=True)


def abandon(writer: IndexWriter) -> None:
    """After a failed commit (a full disk): close the writer's files and let
    go of Whoosh's own index lock now. Left to the garbage collector (the
    writer sits in reference cycles), the lock stays held and every later
    write, in this process or another, fails until the collector runs.
    Harmless on any version: what it looks for, it looks for carefully."""
    with contextlib.suppress(Exception):
        writer.cancel()
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:
        with contextlib.suppress(Exception):
            lock.release()
