"""Every use of Whoosh's private internals, in one place.

Written against whoosh-reloaded 2.7.5 exactly (``WRITTEN_FOR``) and used only
when that version is installed: the app checks at start-up (``supported``)
and, on any other version, reads and writes the index through Whoosh's
public API instead (``whoosh_public``): slower, the same answers.

What reaches inside, and why:

- reading (``FileSnapshot``, ``FileSegment``): a term's postings a whole
  block at a time (``reader._terms``, ``W3LeafMatcher._read_data``), columns
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
- purging (``purge_merge``): a merge policy that rewrites each segment
  holding a deleted document without it, from its files (the term index's
  entries, posting blocks, column files, the segment's ``_fieldlengths``)
  into files written as Whoosh's codec writes them (``W3TermInfo``, the
  field writer's term index and postings file, a compound file), the
  blocks planned with numpy (``purging``). Whoosh's ``add_reader`` passes
  every posting through Python one at a time and sorts them all again."""

from __future__ import annotations

import contextlib
import importlib.metadata
import itertools
import pickle
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import whoosh
from whoosh import columns, index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3TermInfo
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexWriter, SegmentWriter

from notesbase.search import purging
from notesbase.search.analysis import ArrayPositions
from notesbase.search.segments import NO_POSITIONS, NO_POSTINGS, Postings

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


def read_postings(reader: SegmentReader, field: str, term: str) -> Postings:
    """Every posting of ``term`` in ``field`` of this segment, deleted
    documents included (searches mask them out), a block at a time; with
    word positions where the field keeps them."""
    terms = reader._terms
    positions = isinstance(reader.schema[field].format, ArrayPositions)
    try:
        info = terms.term_info(field, term.encode("utf-8"))
    except (KeyError, TermNotFound):
        return NO_POSITIONS if positions else NO_POSTINGS
    blocks: list[tuple[Any, Any, Any, int]] = []
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        blocks.append((ids, weights, values, len(ids)))
        delta = False
    else:
        offset, length = info.extent()
        matcher = W3LeafMatcher(terms._postfile, offset, length, reader.schema[field].format)
        blocks.extend(_blocks(matcher))
        delta = True
    id_parts, weight_parts, value_parts = [], [], []
    for ids, weights, values, count in blocks:
        block_ids = np.array(ids, dtype=np.int64)
        # On disk a block's ids are stored as differences from the one before.
        id_parts.append(np.cumsum(block_ids) if delta else block_ids)
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.array(weights, dtype=np.float32))
        if positions:
            value_parts.extend(values)
    result_ids = np.concatenate(id_parts).astype(np.int32)
    result_weights = np.concatenate(weight_parts)
    if not positions:
        return Postings(result_ids, result_weights)
    sizes = np.fromiter((len(v) // 4 for v in value_parts), dtype=np.int64, count=len(value_parts))
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    flat = np.frombuffer(b"".join(value_parts), dtype=np.uint32)
    return Postings(result_ids, result_weights, flat, starts)


def _blocks(matcher: Any) -> Iterator[tuple[Any, Any, Any, int]]:
    """A posting list's blocks as stored: (ids as differences from the one
    before, weights, values, how many postings)."""
    while not matcher._atend:
        matcher._read_data()
        ids, weights, values = matcher._data
        yield ids, weights, values, matcher._blocklength
        matcher._next_block()


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
    never changes and its ``id`` is the segment's own."""

    def __init__(self, reader: SegmentReader, entry: Any) -> None:
        self.reader = reader
        self.entry = entry
        self.id: str = entry.segment_id()
        self.size: int = entry.doc_count_all()
        self.deleted_count: int = entry.deleted_count()

    def postings(self, field: str, term: str) -> Postings:
        return read_postings(self.reader, field, term)

    def column(self, name: str) -> np.ndarray:
        return column_array(self.reader, name, ">i4")

    def lengths(self, field: str) -> np.ndarray:
        return _LENGTHS[column_array(self.reader, f"_{field}_len", "u1")]

    def deleted(self) -> np.ndarray:
        return np.fromiter(self.entry.deleted_docs(), dtype=np.int64)

    def words(self, field: str) -> Iterator[str]:
        for raw in self.reader.lexicon(field):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

    def expand_prefix(self, field: str, prefix: str) -> Iterator[str]:
        for raw in self.reader.expand_prefix(field, prefix):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

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
                self.sources.append(FileSegment(reader, entry))
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
            return writer._finalize_segment()
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


# -- purging ---------------------------------------------------------------------


def purge_merge(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy after a purge, as ``writing._purge_merge`` with
    Whoosh's own merge: each segment holding a deleted document is
    rewritten without it into a segment of its own, in its place
    (``without_deleted``); one left empty is dropped, one with nothing
    deleted kept as it is. The old segments' files go with the commit; the
    new ones, should one fail, go at once. Term vectors are not copied
    (``copies_all``)."""
    kept, written = [], []
    try:
        for segment in segments:
            if not segment.has_deletions():
                kept.append(segment)
            elif segment.doc_count() > 0:
                written.append(without_deleted(writer, segment))
                kept.append(written[-1])
    except BaseException:
        for segment in written:
            _remove_files(writer.storage, segment)
        raise
    return kept


def copies_all(schema: Any) -> bool:
    """Whether ``purge_merge`` copies all that ``schema`` keeps: not term
    vectors (the index keeps none), which Whoosh's own merge copies."""
    return not any(schema[name].vector for name in schema.names())


def _remove_files(storage: Any, segment: Any) -> None:
    for name in segment.list_files(storage):
        with contextlib.suppress(OSError):
            storage.delete_file(name)


def without_deleted(writer: IndexWriter, entry: Any) -> Any:
    """A new segment holding the live documents of ``entry``, numbered from
    0 in their order, with no byte of a deleted one: stored fields copied as
    they are kept (compressed), columns and lengths as arrays, postings read
    a block at a time, planned for the whole segment (``purging.plan``) and
    written as Whoosh's posting writer writes them (``_Blocks``)."""
    codec = W3Codec(compression=1)  # as ``FastWriter``
    segment = codec.new_segment(writer.storage, writer.indexname)
    reader = SegmentReader(writer.storage, writer.schema, entry)
    try:
        live = np.ones(entry.doc_count_all(), dtype=bool)
        live[np.fromiter(entry.deleted_docs(), dtype=np.int64)] = False
        lengths = _copy_columns(reader, segment, writer.storage, writer.schema, live)
        _copy_postings(reader, segment, codec, writer, live, lengths)
        segment.set_doc_count(int(live.sum()))
        segment.create_compound_file(writer.storage)
    except BaseException:
        _remove_files(writer.storage, segment)
        raise
    finally:
        reader.close()
    return segment


def _copy_columns(
    reader: SegmentReader, segment: Any, storage: Any, schema: Any, live: np.ndarray
) -> dict[str, np.ndarray]:
    """Write the live documents' columns (stored fields, field lengths,
    number columns) into ``segment``'s files, and set its total field
    lengths as Whoosh's merge does (the sum of the lengths the bytes stand
    for). Returns each field's length bytes per new document, for the blocks."""
    perdoc = reader._perdoc
    count = reader.doc_count_all()
    lengths: dict[str, np.ndarray] = {}
    totals: dict[str, int] = defaultdict(int)
    for name in schema.names():
        field = schema[name]
        column = field.column_type
        if column is not None and perdoc.has_column(name):
            dtype = ">" + column._typecode
            values = _column(perdoc, count, name, dtype, column._default)[live]
            _write_fixed(storage, segment, name, values.astype(dtype), column._default)
        length_name = f"_{name}_len"
        if perdoc.has_column(length_name):
            lengths[name] = raw = _column(perdoc, count, length_name, "u1")[live]
            if raw.any():
                _write_fixed(storage, segment, length_name, raw, 0)
                totals[name] = int(_WHOLE_LENGTHS[raw].sum())
    segment._fieldlengths = totals
    _copy_stored(perdoc, count, storage, segment, live)
    return lengths


def _write_fixed(storage: Any, segment: Any, name: str, values: np.ndarray, default: int) -> None:
    """A fixed-width column as Whoosh writes one: big-endian values, the
    trailing default ones left out."""
    set_values = np.flatnonzero(values != default)
    end = int(set_values[-1]) + 1 if len(set_values) else 0
    handle = storage.create_file(W3Codec.column_filename(segment, name))
    try:
        handle.write(values[:end].tobytes())
    finally:
        handle.close()


def _copy_stored(perdoc: Any, count: int, storage: Any, segment: Any, live: np.ndarray) -> None:
    """The live documents' stored fields, each copied as it is kept
    (pickled and compressed), into a column of Whoosh's own kind."""
    if not perdoc.has_column("_stored"):
        return
    handle, offset, length = perdoc._get_column_file("_stored")
    try:
        old = columns.VarBytesColumn.Reader(handle, offset, length, count)
        starts, sizes = old._offsets, old._lengths
        data = handle.get(offset, int(sum(sizes)))
    finally:
        handle.close()
    target = storage.create_file(W3Codec.column_filename(segment, "_stored"))
    try:
        new = columns.VarBytesColumn.Writer(target)
        docnum = 0
        for old_docnum in np.flatnonzero(live).tolist():
            size = sizes[old_docnum]
            if size:
                start = starts[old_docnum]
                new.add(docnum, data[start : start + size])
            docnum += 1
        new.finish(docnum)
    finally:
        target.close()


def _copy_postings(
    reader: SegmentReader,
    segment: Any,
    codec: W3Codec,
    writer: IndexWriter,
    live: np.ndarray,
    lengths: dict[str, np.ndarray],
) -> None:
    """Every term's postings of live documents, renumbered, in blocks of
    the codec's size (``purging.plan``), written as Whoosh's posting writer
    writes them; terms left with none are dropped."""
    schema = writer.schema
    names = [name for name in schema.names() if name in lengths]
    rows = np.zeros((len(names) + 1, int(live.sum())), dtype=np.uint8)
    for row, name in enumerate(names, 1):
        rows[row] = lengths[name]
    read, terms = _read_terms(reader, schema, {name: row for row, name in enumerate(names, 1)})
    planned = purging.plan(read, live, rows, codec._blocklimit)
    del read  # all that was read, deleted documents' postings too, let go before writing
    fields = codec.field_writer(writer.storage, segment)
    try:
        _write_terms(fields, schema, terms, planned, codec._compression)
    finally:
        fields.close()


def _read_terms(
    reader: SegmentReader, schema: Any, rows: dict[str, int]
) -> tuple[purging.Read, list[tuple[str, bytes]]]:
    """Every posting of the segment as stored, a block at a time, and the
    terms in the order of its term index."""
    postfile = reader._terms._postfile
    terms: list[tuple[str, bytes]] = []
    counts: list[int] = []
    block_sizes: list[int] = []
    # Compact arrays rather than lists of Python numbers: a segment of the
    # rebuild's size holds over a million postings.
    deltas = array("q")
    weights = array("f")
    values: list[Any] = []
    for (name, text), info in reader._terms.items():
        if name not in schema:
            continue
        format_ = schema[name].format
        fixed = format_.fixed_value_size()
        terms.append((name, text))
        if info.is_inlined():
            ids, found_weights, found_values = info.inlined_postings()
            blocks = [(_as_deltas(ids), tuple(found_weights), tuple(found_values), len(ids))]
        else:
            offset, length = info.extent()
            blocks = _blocks(W3LeafMatcher(postfile, offset, length, format_))
        total = 0
        for block_ids, block_weights, block_values, count in blocks:
            deltas.extend(block_ids)
            block_sizes.append(count)
            if block_weights is None:
                weights.extend(itertools.repeat(1.0, count))
            elif isinstance(block_weights, float):
                weights.extend(itertools.repeat(block_weights, count))
            else:
                weights.extend(block_weights)
            if fixed == 0:
                values.extend(itertools.repeat(None, count))
            elif fixed is not None and fixed > 0 and not info.is_inlined():
                values.extend(block_values[i : i + fixed] for i in range(0, count * fixed, fixed))
            else:
                values.extend(block_values)
            total += count
        counts.append(total)
    # Within a block, ids are differences from the one before, the first
    # from 0: a running sum restarted at each block.
    flat = np.frombuffer(deltas, dtype=np.int64)
    running = np.cumsum(flat)
    sizes = np.array(block_sizes, dtype=np.int64)
    firsts = np.cumsum(sizes) - sizes
    ids = running - np.repeat(running[firsts] - flat[firsts], sizes)
    read = purging.Read(
        counts=np.array(counts, dtype=np.int64),
        fields=np.array([rows.get(name, 0) for name, _ in terms], dtype=np.int64),
        ids=ids,
        weights=np.frombuffer(weights, dtype=np.float32),
        values=values,
    )
    return read, terms


def _as_deltas(ids: Sequence[int]) -> list[int]:
    return [b - a for a, b in zip([0, *ids[:-1]], ids, strict=True)]


# Whoosh pickles a block's data with protocol 2, which in Python 3 writes
# each posting's positions (bytes) as a call to ``codecs.encode`` on a
# string: protocol 4 writes bytes as they are, in 2.5 times fewer bytes,
# 2.5 times faster to write and 3 times faster to read. Whoosh's reader
# unpickles whatever protocol it finds (``W3LeafMatcher._read_data``).
BLOCK_PICKLE = 4


def _write_terms(
    fields: Any, schema: Any, terms: list[tuple[str, bytes]], planned: purging.Plan, level: int
) -> None:
    """Write the planned blocks as Whoosh's ``W3PostingsWriter`` and
    ``W3FieldWriter.finish_term`` would, a term's blocks after a header,
    its term info into the term index."""
    blocks = _Blocks(planned, level)
    postfile = fields._postfile
    term_blocks = planned.term_blocks.tolist()
    current = None
    for kept, term in enumerate(planned.terms.tolist()):
        name, text = terms[term]
        if name != current:
            if current is not None:
                fields.finish_field()
            fields.start_field(name, schema[name])
            fixed = schema[name].format.fixed_value_size()
            current = name
        info = W3TermInfo()
        first, last = term_blocks[kept], term_blocks[kept + 1]
        chunks = [WHOOSH3_HEADER_MAGIC]
        for block in range(first, last):
            chunks.append(blocks.encoded(block, fixed, last=block == last - 1))
            blocks.add_to(info, block)
        written = b"".join(chunks)
        info.set_extent(postfile.tell(), len(written))
        postfile.write(written)
        fields._tindex.add(pack_ushort(fields._fieldid) + text, info.to_bytes())
    if current is not None:
        fields.finish_field()


class _Blocks:
    """The planned blocks, each encoded as ``W3PostingsWriter._write_block``
    encodes one: the same statistics and contents, except that the contents
    are pickled with protocol 4 (``BLOCK_PICKLE``) where Whoosh uses 2. A
    block's postings become Python values only while it is encoded."""

    def __init__(self, planned: purging.Plan, level: int) -> None:
        self.level = level
        self.values = planned.values
        self.deltas, self.weights = planned.deltas, planned.weights
        self.starts, self.ends = planned.starts.tolist(), planned.ends.tolist()
        self.first_ids = planned.ids[planned.starts].tolist()
        self.last_ids = planned.ids[planned.ends - 1].tolist()
        self.max_weights = planned.max_weights.tolist()
        self.min_weights = planned.min_weights.tolist()
        self.sums = planned.weight_sums.tolist()
        self.min_lengths = planned.min_lengths.tolist()
        self.max_lengths = planned.max_lengths.tolist()

    def max_weight(self, block: int) -> float:
        # Whoosh's writer starts from 0 and keeps any greater weight.
        return self.max_weights[block] if self.max_weights[block] > 0 else 0

    def encoded(self, block: int, fixed: int | None, *, last: bool) -> bytes:
        """The block as stored: its size (negative for a term's last), its
        statistics, its contents (Whoosh's ``_mini_ids``, ``_mini_weights``
        and ``_mini_values``)."""
        start, end = self.starts[block], self.ends[block]
        weights: Any = tuple(self.weights[start:end].tolist())
        if self.min_weights[block] == self.max_weights[block]:
            weights = None if weights[0] == 1.0 else weights[0]
        values: Any = None
        if fixed is None or fixed < 0:
            values = tuple(self.values[start:end])
        elif fixed > 0:
            values = b"".join(self.values[start:end])
        ids = tuple(self.deltas[start:end].tolist())
        data = pickle.dumps((ids, weights, values), BLOCK_PICKLE)
        if self.level:
            data = zlib.compress(data, self.level)
        figures = (
            end - start,
            self.last_ids[block],
            self.max_weight(block),
            self.level,
            self.min_lengths[block],
            self.max_lengths[block],
        )
        about = pickle.dumps(figures, 2)
        size = len(about) + len(data)
        return pack_int(-size if last else size) + about + data

    def add_to(self, info: Any, block: int) -> None:
        """What ``W3TermInfo.add_block`` adds up, from lengths as bytes."""
        start, end = self.starts[block], self.ends[block]
        info._weight += self.sums[block]
        info._df += end - start
        if self.min_lengths[block]:
            shortest = byte_to_length(self.min_lengths[block])
            info._minlength = (
                shortest if info._minlength is None else min(info._minlength, shortest)
            )
        info._maxlength = max(info._maxlength, byte_to_length(self.max_lengths[block]))
        info._maxweight = max(info._maxweight, self.max_weight(block))
        if info._minid is None:
            info._minid = self.first_ids[block]
        info._maxid = self.last_ids[block]
