"""Writing postings packs (``notesbase.search.packs``), part of
``whoosh_internals``: each segment of ``PACK_MIN_DOCUMENTS`` or more, as it
is written and before any reader can see it (a rebuild's process packs its
own segment, ``FastWriter`` the segments a commit brings), gets a pack of
the postings of every term of every field found in ``PACK_MIN_POSTINGS``
documents or more: every term Whoosh does not keep inside its term index
(those found once).

A pack that cannot be written (a full disk) is no failure: the segment is
read without one, as before packs existed, and the reason is logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh.reading import SegmentReader

from notesbase.search import packs
from notesbase.search.whoosh_internals.postings import info_postings, packed_at

PACK_MIN_DOCUMENTS = 500
PACK_MIN_POSTINGS = 2

log = logging.getLogger(__name__)


def packed_fields(schema: Any) -> list[str]:
    """The fields whose postings are packed: every indexed one (the text
    and title with their word positions; keywords such as the audiences
    and series, which every reader's first search reads whole)."""
    return [name for name in schema.names() if schema[name].indexed]


def pack_all(folder: Path, schema: Any, segments: Sequence[Any]) -> None:
    """Pack each of ``segments`` big enough and without a pack yet."""
    for segment in segments:
        if segment is None or segment.doc_count_all() < PACK_MIN_DOCUMENTS:
            continue
        path = packs.pack_path(folder, segment.segment_id())
        if path.exists():
            continue
        try:
            pack_segment(folder, schema, segment)
        except (OSError, MemoryError, packs.PackRefused) as error:
            log.warning("segment %s left without a postings pack: %s", segment.segment_id(), error)


def pack_segment(folder: Path, schema: Any, segment: Any) -> int:
    """Write the pack of ``segment`` (in the index at ``folder``); returns
    how many terms it holds."""
    from whoosh.filedb.filestore import FileStorage

    reader = SegmentReader(FileStorage(str(folder)), schema, segment)
    try:
        terms = []
        for field in packed_fields(schema):
            for raw in reader.lexicon(field):
                info = reader._terms.term_info(field, raw)
                at = packed_at(info)
                if at is None or info.doc_frequency() < PACK_MIN_POSTINGS:
                    continue
                terms.append(packs.Packed(at, info_postings(reader, field, info)))
    finally:
        reader.close()
    path = packs.pack_path(folder, segment.segment_id())
    return packs.write_pack(path, segment.segment_id(), segment.doc_count_all(), terms)
