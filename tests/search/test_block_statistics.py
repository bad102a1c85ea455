"""What notesbase's segment writer (``whoosh_internals.FastWriter``) leaves
in the index files is what Whoosh's own writer leaves: every term's
document count, shortest and longest document and highest weight, and the
same for each block of its postings, which Whoosh's searcher reads to skip
blocks that cannot reach the top results. An index written here stays as
fast to search through Whoosh's public API (the fallback) as one Whoosh
wrote itself."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.writing import SegmentWriter

from notesbase.search.schema import schema
from notesbase.search.whoosh_internals import FastWriter

WORDS = ["data", "trust", "register", "public", "council", "ledger", "pilot", "model"]


def documents(count: int) -> list[dict[str, Any]]:
    """Documents of lengths from 1 to about 400 words, "data" in nearly
    all (many blocks), each other word in some."""
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    found = []
    for number in range(count):
        length = rng.choice([1, 2, 5, 40, 120, 400])
        words = [rng.choice(WORDS) for _ in range(length)]
        if number % 10:
            words.append("data")
        found.append({"doc_id": f"item:{number}", "text": " ".join(words), "title": f"t{number}"})
    return found


def written(folder: Path, writer_class: type[SegmentWriter], docs: list[dict[str, Any]]) -> Any:
    folder.mkdir()
    ix = index.create_in(str(folder), schema())
    writer = writer_class(ix)
    for fields in docs:
        writer.add_document(**fields)
    writer.commit()
    return ix


def statistics(ix: Any) -> dict[tuple[str, bytes], Any]:
    """Per term: its term info's figures, then each posting's block figures."""
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field, text in reader.all_terms():
            if field not in ("text", "title"):
                continue
            info = reader.term_info(field, text)
            blocks = []
            matcher = reader.postings(field, text)
            while matcher.is_active():
                blocks.append(
                    (
                        matcher.id(),
                        matcher.block_min_length(),
                        matcher.block_max_length(),
                        matcher.block_max_weight(),
                    )
                )
                matcher.next()
            found[(field, text)] = (
                (info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight()),
                blocks,
            )
    return found


def test_the_index_files_hold_the_statistics_whooshs_writer_leaves(tmp_path):
    docs = documents(700)
    ours = statistics(written(tmp_path / "ours", FastWriter, docs))
    theirs = statistics(written(tmp_path / "whoosh", SegmentWriter, docs))
    assert ours.keys() == theirs.keys()
    data = ours[("text", b"data")]
    assert data[0][0] > 600 and len({row[1:] for row in data[1]}) > 1  # several blocks
    assert data[0][1] == 1 and data[0][2] >= 400  # real lengths, not zero
    for term, figures in theirs.items():
        assert ours[term] == figures, term
