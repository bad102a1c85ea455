"""Reading a term's postings straight from a segment's files, part of
``whoosh_internals``: a whole posting block at a time
(``reader._terms``, ``W3LeafMatcher._read_data``), into numpy arrays."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo
from whoosh.reading import SegmentReader, TermNotFound

from notesbase.search.analysis import ArrayPositions
from notesbase.search.segments import NO_POSITIONS, NO_POSTINGS, Postings


def read_postings(reader: SegmentReader, field: str, term: str) -> Postings:
    """Every posting of ``term`` in ``field`` of this segment, deleted
    documents included (searches mask them out), a block at a time; with
    word positions where the field keeps them."""
    info = term_info(reader, field, term)
    if info is None:
        positions = isinstance(reader.schema[field].format, ArrayPositions)
        return NO_POSITIONS if positions else NO_POSTINGS
    return info_postings(reader, field, info)


def term_info(reader: SegmentReader, field: str, term: str) -> Any:
    """Whoosh's entry for ``term`` in ``field`` of the segment's term index
    (how many documents, where its postings are), or None."""
    try:
        return reader._terms.term_info(field, term.encode("utf-8"))
    except (KeyError, TermNotFound):
        return None


# A term's entry in the term index (``W3TermInfo``): a flags byte (postings
# kept in the entry itself), the total weight, the document count, ...; for
# postings in the postings file, where they start follows the fixed part.
_DOC_FREQUENCY = struct.Struct("!I")
_DOC_FREQUENCY_AT = 5
_OFFSET = struct.Struct("!q")


def prefix_frequencies(
    reader: SegmentReader, field: str, prefix: str
) -> Iterator[tuple[str, int, int | None]]:
    """The words of ``field`` starting with ``prefix``, in order, each with
    how many of the segment's documents hold it (deleted ones included) and
    where its postings start in the postings file (``packed_at``), read
    from the term index without decoding its entries."""
    terms = reader._terms
    start = terms._keycoder(field, prefix.encode("utf-8"))
    for key, value in terms._tindex.items_from(start):
        if not key.startswith(start):
            return
        word = terms._keydecoder(key)[1].decode("utf-8")
        count = _DOC_FREQUENCY.unpack_from(value, _DOC_FREQUENCY_AT)[0]
        at = None if value[0] else _OFFSET.unpack_from(value, W3TermInfo._struct.size)[0]
        yield word, count, at


def packed_at(info: Any) -> int | None:
    """Where a term's postings start in the segment's postings file: what
    a postings pack finds them by (``notesbase.search.packs``); None for
    postings kept inside the term index (not packed)."""
    return None if info.is_inlined() else int(info.extent()[0])


def info_postings(reader: SegmentReader, field: str, info: Any) -> Postings:
    """``read_postings`` of the term whose entry is ``info``."""
    terms = reader._terms
    positions = isinstance(reader.schema[field].format, ArrayPositions)
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
