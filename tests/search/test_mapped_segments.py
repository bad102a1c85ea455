"""Compound segments are read from their memory map in place
(``whoosh_internals.mapped``): opening one copies none of its files into
the process, and what Whoosh reads from them is what it read before."""

from __future__ import annotations

import io
import os
import tracemalloc
from typing import Any

import pytest
from flask import Flask
from whoosh.filedb import compound

from notesbase.search import indexer
from notesbase.search.query import parse
from notesbase.search.request import Access, SearchRequest
from notesbase.search.whoosh_internals import FileSnapshot, mapped
from tests.support import corpus_support

SPEC = corpus_support.Spec(items=240, items_per_meeting=12, series=2, people=30)
DATA = bytes(range(256)) * 3 + b"line one\nline two\n\nlast"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SEARCH_APPLY_ON_COMMIT": False, "SEARCH_REBUILD_PROCESSES": 1}


def test_opening_a_segment_copies_none_of_it(app: Flask):
    """The index's compound segment files are opened without a copy: the
    process allocates a small part of their size (Whoosh's own file hands
    each file inside a segment to ``BytesIO``, a copy of it all)."""
    corpus_support.load(app, SPEC)
    indexer.rebuild(app)
    engine = indexer.engine_for(app)
    path = engine.current_path()
    assert path is not None
    assert compound.BufferFile is mapped.MappedFile
    size = sum(file.stat().st_size for file in path.glob("MAIN_*.seg"))
    assert size > 200_000
    opened = engine.open_index(path)
    tracemalloc.start()
    try:
        snapshot = FileSnapshot(path, opened, None)
        _, peak = tracemalloc.get_traced_memory()
        snapshot.close()
    finally:
        tracemalloc.stop()
    assert peak < size / 4, (peak, size)
    found = engine.search(SearchRequest(parse("data"), Access(()), page=1, per_page=5))
    assert found.total > 0


def test_a_view_reader_reads_as_bytesio_does():
    """Reads, lines, seeks from each end and reads past the end give what
    ``BytesIO`` gives over the same bytes."""
    ours = mapped._ViewReader(memoryview(DATA))
    theirs = io.BytesIO(DATA)
    steps: list[tuple[str, tuple[int, ...]]] = [
        ("read", (10,)),
        ("tell", ()),
        ("seek", (700,)),
        ("readline", ()),
        ("readline", ()),
        ("readline", ()),
        ("readline", (2,)),
        ("read", ()),
        ("read", (5,)),
        ("seek", (-4, os.SEEK_END)),
        ("read", (100,)),
        ("seek", (3,)),
        ("seek", (5, os.SEEK_CUR)),
        ("read", (4,)),
        ("seek", (10_000,)),
        ("read", (4,)),
        ("tell", ()),
    ]
    for name, args in steps:
        assert getattr(ours, name)(*args) == getattr(theirs, name)(*args), (name, args)
    buffer = bytearray(6)
    ours.seek(1)
    theirs.seek(1)
    assert ours.readinto(buffer) == 6 and bytes(buffer) == DATA[1:7]
    with pytest.raises(ValueError):
        ours.seek(-1)
