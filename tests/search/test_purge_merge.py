"""The purge merge notesbase writes itself (``whoosh_internals.purge.purge_merge``:
each segment holding a deleted document rewritten without it, from arrays)
leaves what Whoosh's own merge leaves (``writing._purge_merge``): the same
documents, stored fields, postings, weights, positions, lengths and search
results through Whoosh's stock searcher, and no byte of a deleted document
in any file; for one segment, the very blocks of Whoosh's postings (their
statistics and contents) and its term figures."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from whoosh import index, qparser
from whoosh.codec.whoosh3 import W3LeafMatcher

from notesbase.search import whoosh_internals
from notesbase.search.schema import schema
from notesbase.search.whoosh_internals import FastWriter
from notesbase.search.whoosh_internals import purge as whoosh_purge
from notesbase.search.writing import _purge_merge

WORDS = ["data", "trust", "register", "public", "council", "ledger", "pilot", "model", "audit"]
SECRET = "zanzibarquokka"


def document(number: int, rng: random.Random) -> dict[str, Any]:
    """A document of 1 to about 300 words, "data" in most (postings of many
    blocks), with stored fields, columns and keywords of its own."""
    words = [rng.choice(WORDS) for _ in range(rng.choice([1, 3, 20, 150, 300]))]
    if number % 7:
        words.append("data")
    return {
        "doc_id": f"item:{number}:member",
        "key": f"item:{number}",
        "scope": f"meeting:{number % 5}",
        "doctype": "item",
        "target": number,
        "audiences": "member facilitator" if number % 2 else "public member facilitator",
        "series": str(number % 3),
        "meeting": number % 5,
        "number": number % 11,
        "day": 20_000 + number,
        "topics": " ".join(rng.sample(["health", "money", "data"], number % 3)),
        "kind": rng.choice(["point", "quote", "action"]),
        "version": 1,
        "fingerprint": f"f{number}",
        "title": [f"title{number % 4}", rng.choice(WORDS)],
        "text": words,
    }


def purged(folder: Path, policy: Any, segment_sizes: list[int], doomed: set[int]) -> Any:
    """An index of segments of ``segment_sizes`` documents; the documents
    numbered in ``doomed`` deleted (the secret word is in them only) and
    the deletions committed with ``policy``."""
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    number = 0
    for size in segment_sizes:
        writer = FastWriter(ix)
        for _ in range(size):
            fields = document(number, rng)
            if number in doomed:
                fields["text"] = [*fields["text"], SECRET]
            writer.add_document(**fields)
            number += 1
        writer.commit(merge=False)
    writer = FastWriter(ix)
    for gone in doomed:
        writer.delete_by_term("key", f"item:{gone}")
    writer.commit(mergetype=policy)
    return ix


def contents(ix: Any) -> dict[str, Any]:
    """What the index holds, by document id rather than number (the two
    merges order segments differently)."""
    found: dict[str, Any] = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        names = {d: reader.stored_fields(d)["doc_id"] for d in reader.all_doc_ids()}
        found["stored"] = {names[d]: reader.stored_fields(d) for d in names}
        found["lengths"] = {
            (names[d], field): reader.doc_field_length(d, field)
            for d in names
            for field in ("title", "text")
        }
        found["columns"] = {
            (names[d], field): reader.column_reader(field)[d]
            for d in names
            for field in ("target", "number", "day")
        }
        found["totals"] = {f: reader.field_length(f) for f in ("title", "text")}
        found["count"] = reader.doc_count()
        postings = {}
        for field, text in reader.all_terms():
            matcher = reader.postings(field, text)
            rows = []
            while matcher.is_active():
                rows.append((names[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            postings[(field, text)] = (reader.doc_frequency(field, text), sorted(rows))
        found["postings"] = postings
        parser = qparser.QueryParser("text", ix.schema)
        found["hits"] = {
            words: [
                (hit["doc_id"], round(hit.score, 5))
                for hit in searcher.search(parser.parse(words), limit=None)
            ]
            for words in ("data", "trust ledger", '"public council"', "title2 OR audit")
        }
    return found


def index_bytes(ix: Any) -> bytes:
    root = Path(ix.storage.folder)
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())


def test_the_fast_purge_merge_leaves_what_whooshs_merge_leaves(tmp_path):
    """Deletions in three of four segments (one emptied, one untouched):
    the same documents, postings, lengths and results either way."""
    sizes = [400, 300, 5, 200]
    doomed = {3, 10, 11, 250, 399, 500, 700, 701, 702, 703, 704} | set(range(705, 900, 9))
    ours = purged(tmp_path / "ours", whoosh_purge.purge_merge, sizes, doomed)
    theirs = purged(tmp_path / "whoosh", _purge_merge, sizes, doomed)
    ours_contents, theirs_contents = contents(ours), contents(theirs)
    assert ours_contents["count"] == sum(sizes) - len(doomed)
    assert ("text", SECRET.encode()) not in ours_contents["postings"]
    assert len(ours_contents["postings"][("text", b"data")][1]) > 600  # many blocks
    for part, value in theirs_contents.items():
        assert ours_contents[part] == value, part
    assert SECRET.encode() not in index_bytes(ours)
    assert b"item:3:member" not in index_bytes(ours)


def blocks(ix: Any) -> dict[tuple[str, bytes], Any]:
    """Per term of a one-segment index: its term info's figures and each
    block as stored (its statistics, and its documents, weights and
    values), read as Whoosh's reader reads them."""
    found = {}
    with ix.reader() as reader:
        terms = reader._terms
        for (field, text), info in terms.items():
            offset, length = info.extent()
            matcher = W3LeafMatcher(terms._postfile, offset, length, ix.schema[field].format)
            stored = []
            while not matcher._atend:
                matcher._read_data()
                stored.append(
                    (
                        matcher._blocklength,
                        matcher._maxid,
                        matcher._maxweight,
                        matcher._minlength,
                        matcher._maxlength,
                        matcher._data,
                    )
                )
                matcher._next_block()
            figures = (
                info._weight,
                info._df,
                info._minlength,
                info._maxlength,
                info._maxweight,
                info._minid,
                info._maxid,
            )
            found[(field, text)] = (figures, stored)
    return found


def segment_files(ix: Any) -> dict[str, bytes]:
    """The files of a one-segment index's segment, by their endings."""
    (segment,) = ix._segments()
    files = segment.open_compound_file(ix.storage)
    try:
        return {name.split(".", 1)[1]: files.open_file(name).read() for name in files.list()}
    finally:
        files.close()


def test_a_rewritten_segment_holds_whooshs_blocks(tmp_path):
    """One segment rewritten by each merge: every term's figures and every
    block of its postings (statistics, documents, weights, values) are the
    same, and the lengths and number columns the same bytes."""
    doomed = set(range(0, 700, 3))
    ours = purged(tmp_path / "ours", whoosh_purge.purge_merge, [700], doomed)
    theirs = purged(tmp_path / "whoosh", _purge_merge, [700], doomed)
    ours_blocks = blocks(ours)
    assert ours_blocks == blocks(theirs)
    data = ours_blocks[("text", b"data")]
    assert len(data[1]) > 3 and len({block[1:5] for block in data[1]}) > 1
    ours_files, theirs_files = segment_files(ours), segment_files(theirs)
    assert ours_files.keys() == theirs_files.keys()
    for ending in ("_text_len.col", "_title_len.col", "target.col", "number.col", "day.col"):
        assert ours_files[ending] == theirs_files[ending], ending


def test_a_failed_purge_merge_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    """Should writing the second rewritten segment fail (a full disk), the
    commit fails, the index reads as before it, and no file of the segments
    already rewritten is left behind."""
    folder = tmp_path / "ix"
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    for first in (0, 100):
        writer = FastWriter(ix)
        for number in range(first, first + 100):
            writer.add_document(**document(number, rng))
        writer.commit(merge=False)
    before = [path.name for path in folder.iterdir()]
    written = []
    real = whoosh_purge._write_terms

    def failing(*args: Any) -> None:
        written.append(args)
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        real(*args)

    monkeypatch.setattr(whoosh_purge, "_write_terms", failing)
    writer = FastWriter(ix)
    writer.delete_by_term("key", "item:3")
    writer.delete_by_term("key", "item:150")
    try:
        writer.commit(mergetype=whoosh_purge.purge_merge)
    except OSError:
        whoosh_internals.abandon(writer)
    else:
        raise AssertionError("the commit should have failed")
    assert len(written) == 2
    # The writer's own new segment is Whoosh's to clear at the next commit.
    own = writer.newsegment.segment_id()
    left = {path.name for path in folder.iterdir() if not path.name.startswith(own)}
    assert left == set(before)
    with index.open_dir(str(folder)).searcher() as searcher:
        assert searcher.doc_count() == 200
