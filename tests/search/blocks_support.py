"""What Whoosh's searcher reads of an index's posting statistics, for the
tests that hold notesbase's writing to Whoosh's: per term, its term info's
figures, and each posting's block figures (the block's shortest and longest
document and highest weight, which it skips blocks that cannot reach the
top results by)."""

from __future__ import annotations

from typing import Any


def statistics(ix: Any, fields: tuple[str, ...] | None = None) -> dict[tuple[str, bytes], Any]:
    """Per term (of ``fields``, or all): its term info's figures, then each
    posting's block figures."""
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field, text in reader.all_terms():
            if fields is not None and field not in fields:
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
            figures = (
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                info.weight(),
                info.min_id(),
                info.max_id(),
            )
            found[(field, text)] = (figures, blocks)
    return found
