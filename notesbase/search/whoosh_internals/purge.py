"""Purging (``purge_merge``), part of ``whoosh_internals``: a merge
policy that rewrites each segment holding a deleted document without it,
from its files (the term index's entries, posting blocks, column files, the
segment's ``_fieldlengths``) into files written as Whoosh's codec writes
them (``W3TermInfo``, the field writer's term index and postings file, a
compound file), the blocks planned with numpy (``notesbase.search.purging``).
Whoosh's ``add_reader`` passes every posting through Python one at a time
and sorts them all again."""

from __future__ import annotations

import itertools
import pickle
import zlib
from array import array
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.writing import IndexWriter

from notesbase.search import purging
from notesbase.search.whoosh_internals import _WHOLE_LENGTHS, _column, remove_segment
from notesbase.search.whoosh_internals.postings import _blocks


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
            remove_segment(writer.storage, segment)
        raise
    return kept


def copies_all(schema: Any) -> bool:
    """Whether ``purge_merge`` copies all that ``schema`` keeps: not term
    vectors (the index keeps none), which Whoosh's own merge copies."""
    return not any(schema[name].vector for name in schema.names())


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
        remove_segment(writer.storage, segment)
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
