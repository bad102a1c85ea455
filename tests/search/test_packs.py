"""Postings packs (``notesbase.search.packs``): a big segment's decoded
postings in a file every process maps. A search through packs answers
exactly as one decoding Whoosh's files; a process's kept memory does not
grow with the words asked; merges, purges and rebuilds pack what they
write; a pack that does not hold together, or cannot be written, is not
used (fail closed), and a changed byte is caught by the index's checksums."""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask

from notesbase.db import db
from notesbase.disclosure import Confidentiality
from notesbase.models import Item
from notesbase.notes.items import ItemFields, purge_item, update_item
from notesbase.search import checking, indexer, packs, rebuilding, storage, writing
from notesbase.search.engine import Engine
from notesbase.search.query import Filters, parse
from notesbase.search.request import Access, SearchRequest
from notesbase.search.segments import Postings
from notesbase.search.whoosh_internals import packing
from tests.support import corpus_support

SPEC = corpus_support.Spec(items=240, items_per_meeting=12, series=2, people=30)
READERS = {
    "public": Access(()),
    "member of one series": Access(((1, "member"),)),
    "facilitator": Access(((1, "facilitator"), (2, "facilitator"))),
}
QUERIES = corpus_support.QUERIES
FILTERS = [Filters(), Filters(topics=("data-sharing",))]


# -- the file -------------------------------------------------------------------------


def postings(ids: list[int], positions: list[list[int]]) -> Postings:
    starts = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in positions], out=starts[1:])
    flat = np.array([x for p in positions for x in p], dtype=np.uint32)
    weights = np.array([len(p) for p in positions], dtype=np.float32)
    return Postings(np.array(ids, dtype=np.int32), weights, flat, starts)


TERMS = {
    40: postings([0, 3, 7], [[1], [2, 9], [4, 5, 6]]),
    7: postings([1], [[0]]),
    900: postings([2, 3, 4, 5], [[3], [1], [8, 12], [0]]),
}


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = packs.pack_path(tmp_path, "MAIN_abc")
    terms = [packs.Packed(key, found) for key, found in TERMS.items()]
    assert packs.write_pack(path, "MAIN_abc", 8, terms) == 3
    return path


def test_a_pack_gives_back_each_term_as_written(written):
    pack = packs.open_pack(written, "MAIN_abc", 8)
    assert pack is not None and len(pack) == 3
    for key, expected in TERMS.items():
        found = pack.get(key)
        assert found is not None
        for name in ("ids", "weights", "positions", "starts"):
            assert np.array_equal(getattr(found, name), getattr(expected, name)), (key, name)
        assert not found.ids.flags.writeable  # views of the mapped file, never copies
    assert pack.get(8) is None and pack.get(0) is None and pack.get(10**12) is None
    assert not list(written.parent.glob(".*tmp"))


def test_a_pack_holds_no_words(tmp_path):
    """Only numbers: a term is found by where its postings start."""
    path = packs.pack_path(tmp_path, "MAIN_abc")
    packs.write_pack(path, "MAIN_abc", 8, [packs.Packed(40, TERMS[40])])
    assert b"data" not in path.read_bytes()


def _header(path: Path) -> tuple[dict[str, Any], int]:
    raw = path.read_bytes()
    (length,) = struct.unpack_from("<Q", raw, len(packs.MAGIC))
    start = len(packs.MAGIC) + 8
    return json.loads(raw[start : start + length]), start


def _rewrite_header(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    raw = bytearray(path.read_bytes())
    header, start = _header(path)
    change(header)
    text = json.dumps(header).encode()
    old = struct.unpack_from("<Q", raw, len(packs.MAGIC))[0]
    assert len(text) <= old + 20, "the test's header must fit where the old one was"
    text = text.ljust(old)[:old] if len(text) <= old else text
    raw[start : start + len(text)] = text
    struct.pack_into("<Q", raw, len(packs.MAGIC), len(text))
    path.write_bytes(bytes(raw))


def _set_array(path: Path, name: str, index: int, value: int) -> None:
    header, start = _header(path)
    raw = bytearray(path.read_bytes())
    body = -(-(start + struct.unpack_from("<Q", raw, len(packs.MAGIC))[0]) // 64) * 64
    at = body + header["arrays"][name][0]
    dtype = np.dtype(packs._ARRAYS[name])
    np.frombuffer(raw, dtype=dtype, count=1, offset=at + index * dtype.itemsize)  # in bounds
    raw[at + index * dtype.itemsize : at + (index + 1) * dtype.itemsize] = np.array(
        [value], dtype=dtype
    ).tobytes()
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    "damage",
    [
        "empty",
        "not a pack",
        "cut short",
        "header past the end",
        "another segment",
        "another size",
        "another version",
        "array outside the file",
        "array misaligned",
        "a document past the segment",
        "a negative document",
        "terms out of order",
        "starts going back",
        "starts not adding up",
    ],
)
def test_a_pack_that_does_not_hold_together_is_not_used(written, damage):
    """Whatever is wrong with it, ``open_pack`` answers None (the segment is
    then read from Whoosh's files) and never raises."""
    if damage == "empty":
        written.write_bytes(b"")
    elif damage == "not a pack":
        written.write_bytes(b"NBPACK0\n" + written.read_bytes()[8:])
    elif damage == "cut short":
        written.write_bytes(written.read_bytes()[:-64])
    elif damage == "header past the end":
        raw = bytearray(written.read_bytes())
        struct.pack_into("<Q", raw, len(packs.MAGIC), 10**9)
        written.write_bytes(bytes(raw))
    elif damage == "another segment":
        _rewrite_header(written, lambda h: h.update(segment="MAIN_abd"))
    elif damage == "another size":
        _rewrite_header(written, lambda h: h.update(documents=9))
    elif damage == "another version":
        _rewrite_header(written, lambda h: h.update(version=2))
    elif damage == "array outside the file":
        _rewrite_header(written, lambda h: h["arrays"]["ids"].__setitem__(1, 10**6))
    elif damage == "array misaligned":
        _rewrite_header(written, lambda h: h["arrays"]["ids"].__setitem__(0, 4))
    elif damage == "a document past the segment":
        _set_array(written, "ids", 2, 8)
    elif damage == "a negative document":
        _set_array(written, "ids", 0, -1)
    elif damage == "terms out of order":
        _set_array(written, "keys", 0, 5000)
    elif damage == "starts going back":
        _set_array(written, "starts", 1, 0)  # term 7 (one posting) is first: 0, 1
        _set_array(written, "starts", 3, 0)  # term 40's second posting starts before its first
    elif damage == "starts not adding up":
        _set_array(written, "starts", 1, 2)
    assert packs.open_pack(written, "MAIN_abc", 8) is None


def test_no_pack_at_all_is_none(tmp_path):
    assert packs.open_pack(tmp_path / "MAIN_none.pack", "MAIN_none", 3) is None


# -- an index with packs ---------------------------------------------------------------


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SEARCH_APPLY_ON_COMMIT": False, "SEARCH_REBUILD_PROCESSES": 1}


@pytest.fixture
def packed(app: Flask, monkeypatch) -> Flask:
    """The corpus indexed with every segment packed (however small) and
    every term found in two documents or more."""
    monkeypatch.setattr(packing, "PACK_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(packing, "PACK_MIN_POSTINGS", 2)
    corpus_support.load(app, SPEC)
    indexer.rebuild(app)
    return app


def _answers(engine: Engine) -> dict[tuple[str, str, Filters, bool], Any]:
    found = {}
    for reader, access in READERS.items():
        for text in QUERIES:
            for filters in FILTERS:
                for by_date in (False, True):
                    request = SearchRequest(
                        parse(text, filters), access, page=1, per_page=1000, by_date=by_date
                    )
                    results = engine.search(request)
                    found[(reader, text, filters, by_date)] = (
                        results.total,
                        results.topic_counts,
                        [doc.doc_id for doc in results.docs],
                    )
    return found


def _folder(app: Flask) -> Path:
    path = indexer.engine_for(app).current_path()
    assert path is not None
    return path


def _without_packs(app: Flask, monkeypatch) -> Engine:
    """A fresh engine over the same files that opens no pack."""
    monkeypatch.setattr(packs, "opened", lambda *args: None)
    return Engine(indexer.engine_for(app).root, internals=True)


@pytest.mark.parametrize("segments", ["one segment", "several segments"])
def test_searches_through_packs_answer_as_decoding_does(packed, monkeypatch, segments):
    """Every query, filter, order and reader: the same totals, topic counts
    and hits in the same order with the packs as without them, whether a
    word's postings come from one pack or are put together from several."""
    if segments == "several segments":
        monkeypatch.setattr(rebuilding, "SEGMENT_DOCUMENTS", 90)
        indexer.rebuild(packed)
    engine = indexer.engine_for(packed)
    found = engine.segments()
    assert (len(found) > 1) is (segments == "several segments")
    assert all(segment.source.pack is not None for segment in found)
    assert any(segment.source.shared_postings("text", "data") is not None for segment in found)
    with_packs = _answers(engine)
    without = _answers(_without_packs(packed, monkeypatch))
    assert with_packs == without
    assert sum(total for total, _, _ in with_packs.values()) > 1000  # real work


def test_postings_put_together_from_packs_are_not_kept(packed, monkeypatch):
    """From several segments, a word's postings are put together for the
    query that asks (once however often it asks), and kept neither in the
    process's cache nor anywhere else after it. A phrase puts nothing
    together: it reads each segment's word positions where they lie."""
    monkeypatch.setattr(rebuilding, "SEGMENT_DOCUMENTS", 90)
    indexer.rebuild(packed)
    engine = indexer.engine_for(packed)
    joins: list[int] = []
    real = engine.view()._join

    def counting(parts):  # type: ignore[no-untyped-def]
        joins.append(len(parts))
        return real(parts)

    monkeypatch.setattr(engine.view(), "_join", counting)
    access = READERS["facilitator"]
    engine.search(SearchRequest(parse("data"), access, page=1, per_page=10))
    # "data" in the text and the title, each put together once.
    assert joins == [len(engine.segments())] * 2
    joins.clear()
    phrase = engine.search(SearchRequest(parse('"data sharing"'), access, page=1, per_page=10))
    assert phrase.total
    # Only the documents and weights, to score the phrase's words: once a word and field.
    assert joins == [len(engine.segments())] * 4
    kept = [key for key in engine.cache._items if key[0].startswith("view:")]
    assert not [key for key in kept if key[1:3] == ("postings", "text")]


def test_what_a_process_keeps_does_not_grow_with_the_words_asked(packed, monkeypatch):
    """Packed words' postings are read where they lie and put together for
    the query only, and words too rare to pack are decoded again when asked
    (a block each): none is kept in the process, whatever the variety of
    words asked. Without packs each word asked adds its postings to what
    the process keeps."""
    engine = indexer.engine_for(packed)
    (segment,) = engine.segments()
    rare = [
        word
        for word in segment.source.words("text")
        if segment.source.shared_postings("text", word) is None and word.isalpha()
    ][:8]
    assert len(rare) == 8  # words in one document only: not packed
    words = ["data", "public", "trust", "sharing", "community", "council", *rare]
    access = READERS["facilitator"]

    def kept_after(engine: Engine) -> tuple[int, set[str]]:
        engine.search(SearchRequest(parse("zzz"), access, page=1, per_page=10))  # warm
        before = engine.cache.used
        for word in words:
            found = engine.search(SearchRequest(parse(word), access, page=1, per_page=10))
            assert found.total, word
        text = {key[3] for key in engine.cache._items if key[1:3] == ("postings", "text")}
        return engine.cache.used - before, text

    grown, kept = kept_after(engine)
    assert kept <= {"zzz"} and grown == 0
    grown_without, kept_without = kept_after(_without_packs(packed, monkeypatch))
    stems = {engine.analyse(word)[0] for word in words[:6]}
    assert stems | set(rare) <= kept_without and grown_without > 100_000


def _pack_files(folder: Path) -> set[str]:
    return {path.name for path in folder.glob("MAIN_*.pack")}


def _segment_names(app: Flask) -> set[str]:
    return {f"{segment.id}.pack" for segment in indexer.engine_for(app).segments()}


def _save(app: Flask, item_id: int, body: str, level: Confidentiality | None = None) -> None:
    with app.app_context():
        item = db.session.get(Item, item_id)
        assert item is not None
        level = level or item.confidentiality
        fields = ItemFields(item.kind, body, item.section, item.speaker_id, level)
        update_item(item, fields, actor=None)
        db.session.commit()


def test_merges_and_purges_pack_what_they_write_and_drop_the_rest(packed, monkeypatch):
    """Saves, the merges they bring and a purge: every segment of the
    index has its pack, no pack outlives its segment, each is in the
    checksums, and the purged words are in no file of the index."""
    monkeypatch.setattr(writing, "LARGE_SEGMENT", 100)
    engine = indexer.engine_for(packed)
    folder = _folder(packed)
    assert _pack_files(folder) == _segment_names(packed)
    with packed.app_context():
        ids = db.session.scalars(sa.select(Item.id).order_by(Item.id).limit(20)).all()
    for number, item_id in enumerate(ids):
        _save(packed, item_id, f"packfish{number} data sharing packfish{number}")
        indexer.apply(packed)
    assert len(engine.segments()) > 2  # small segments, some merged
    assert _pack_files(folder) == _segment_names(packed)
    _save(packed, ids[3], "packfish3 was confidential", Confidentiality.CONFIDENTIAL)
    indexer.apply(packed)
    with packed.app_context():
        purge_item(db.session.get(Item, ids[3]), actor=None)
        db.session.commit()
    indexer.apply(packed)
    assert _pack_files(folder) == _segment_names(packed)
    sums = json.loads((folder / storage.CHECKSUMS).read_text())
    assert _pack_files(folder) <= set(sums)
    for file in folder.iterdir():
        assert b"packfish3" not in file.read_bytes(), file.name
    found = engine.search(
        SearchRequest(parse("packfish4"), READERS["facilitator"], page=1, per_page=5)
    )
    assert found.total == 1
    assert checking.check(packed).ok


def test_a_changed_byte_in_a_pack_is_caught_by_the_checksums(packed):
    """A pack altered on disk fails the index's checksum when a process
    opens it, as any index file does: the index is not read from."""
    folder = _folder(packed)
    pack = sorted(folder.glob("MAIN_*.pack"))[0]
    raw = bytearray(pack.read_bytes())
    raw[-1] ^= 0xFF
    pack.write_bytes(bytes(raw))
    fresh = storage.Storage(folder.parent)
    with pytest.raises(storage.IndexUnavailable, match="checksum"):
        fresh.open_index(folder)


def test_a_missing_pack_is_read_from_whooshs_files(packed):
    """Packs deleted from under the index: a fresh process decodes the
    postings from the segments and answers the same."""
    engine = indexer.engine_for(packed)
    before = _answers(engine)
    folder = _folder(packed)
    for pack in folder.glob("MAIN_*.pack"):
        pack.unlink()
    sums = json.loads((folder / storage.CHECKSUMS).read_text())
    (folder / storage.CHECKSUMS).write_text(
        json.dumps({k: v for k, v in sums.items() if not k.endswith(".pack")})
    )
    packs._OPENED.clear()
    fresh = Engine(engine.root, internals=True)
    assert all(segment.source.pack is None for segment in fresh.segments())
    assert _answers(fresh) == before


def test_a_pack_that_cannot_be_written_leaves_its_segment_without_one(app, monkeypatch, caplog):
    """A full disk while packing: the rebuild still succeeds, the segment
    is read from Whoosh's files, and the reason is logged."""
    monkeypatch.setattr(packing, "PACK_MIN_DOCUMENTS", 1)

    def full(*args: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packs, "write_pack", full)
    caplog.set_level(logging.WARNING, logger=packing.__name__)
    corpus_support.load(app, SPEC)
    assert indexer.rebuild(app) > 0
    assert not _pack_files(_folder(app))
    assert "without a postings pack: [Errno 28] No space left on device" in caplog.text
    engine = indexer.engine_for(app)
    results = engine.search(SearchRequest(parse("data"), READERS["public"], page=1, per_page=5))
    assert results.total > 0
