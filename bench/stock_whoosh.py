"""The fair Whoosh reference: the same documents in an index written by
Whoosh's stock writer (``index.create_in``, ``writer.add_document``), read
by one searcher kept open, with the reader's access filter built once (a
set of document numbers, cached per reader and topic) rather than for
every query. Two ways to ask it:

- ``top_ten``: the ten best and Whoosh's estimate of the total (its block
  statistics let its matchers skip blocks that cannot reach the top ten);
- ``exact``: what notesbase reports: the ten best, the exact total and the
  counts by topic. Whoosh's matchers visit every match (no block skipping,
  no replacing a matcher by a leaner one), a collector keeps their numbers,
  and each topic's count is their intersection with that topic's documents
  (also built once).

The fields are those a search reads: title and text analysed from the plain
text by notesbase's analyzer (so the same terms), and the audiences, series
and topics the filters need."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import collectors, fields, index
from whoosh import query as wq
from whoosh.searching import Searcher

from bench.references import whoosh_query
from notesbase.search.analysis import ANALYZER
from notesbase.search.engine import Access, Document
from notesbase.search.query import ParsedQuery

TITLE_BOOST = 1.5  # as notesbase's schema


def schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.STORED(),
        audiences=fields.KEYWORD(),
        series=fields.ID(),
        topics=fields.KEYWORD(),
        title=fields.TEXT(analyzer=ANALYZER, field_boost=TITLE_BOOST),
        text=fields.TEXT(analyzer=ANALYZER),
    )


class _Kept(collectors.WrappingCollector):
    """Passes every match on to the top-ten collector and keeps its number."""

    def __init__(self, child: collectors.Collector) -> None:
        super().__init__(child)
        self.kept: set[int] = set()

    def collect(self, sub_docnum: int) -> Any:
        self.kept.add(self.offset + sub_docnum)
        return self.child.collect(sub_docnum)


class StockWhoosh:
    """The stock index in ``folder`` (new), built by ``build``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.searcher: Searcher | None = None
        # Plain sets, as Whoosh takes for a filter; never changed once made.
        self.allowed_sets: dict[tuple[Access, tuple[str, ...]], set[int]] = {}
        self.topic_sets: dict[str, set[int]] = {}
        self.topics: list[str] = []

    def build(self, documents: Iterable[Document]) -> int:
        """Write every document with the stock writer; the count written."""
        self.folder.mkdir(parents=True)
        built = index.create_in(str(self.folder), schema())
        writer = built.writer()
        count = 0
        for document in documents:
            writer.add_document(
                doc_id=document.doc_id,
                audiences=" ".join(document.audiences),
                series=str(document.series),
                topics=" ".join(document.topics),
                title=document.title,
                text=document.text,
            )
            count += 1
        writer.commit()
        self.searcher = built.searcher()
        self.topics = [text.decode() for text in self.searcher.lexicon("topics")]
        return count

    def _searcher(self) -> Searcher:
        if self.searcher is None:
            raise RuntimeError("build the stock index first")
        return self.searcher

    def allowed(self, access: Access, topics: tuple[str, ...]) -> set[int]:
        """The documents ``access`` may see among those of all ``topics``:
        built on first use, then kept."""
        key = (access, topics)
        if key not in self.allowed_sets:
            searcher = self._searcher()
            who = wq.Or(
                [
                    wq.Term("audiences", "public"),
                    *(
                        wq.And([wq.Term("series", str(series)), wq.Term("audiences", audience)])
                        for series, audience in access.by_series
                    ),
                ]
            )
            found = set(searcher.docs_for_query(who))
            for topic in topics:
                found &= self._topic(topic)
            self.allowed_sets[key] = found
        return self.allowed_sets[key]

    def _topic(self, topic: str) -> set[int]:
        if topic not in self.topic_sets:
            found = self._searcher().docs_for_query(wq.Term("topics", topic))
            self.topic_sets[topic] = set(found)
        return self.topic_sets[topic]

    def top_ten(self, parsed: ParsedQuery, access: Access) -> tuple[int, list[str]]:
        """Whoosh's estimate of the total, and the ten best documents' ids."""
        allowed = self.allowed(access, parsed.filters.topics)
        results = self._searcher().search(whoosh_query(parsed), filter=allowed, limit=10)
        return results.estimated_length(), [hit["doc_id"] for hit in results]

    def exact(self, parsed: ParsedQuery, access: Access) -> tuple[int, dict[str, int], list[str]]:
        """The exact total, the counts by topic, and the ten best documents' ids."""
        searcher = self._searcher()
        allowed = self.allowed(access, parsed.filters.topics)
        # Neither skipping blocks nor replacing matchers with leaner ones once
        # the top ten are known: both would leave matches uncounted.
        kept = _Kept(collectors.TopCollector(limit=10, usequality=False, replace=0))
        collector = collectors.FilterCollector(kept, allow=allowed)
        searcher.search_with_collector(whoosh_query(parsed), collector)
        results = collector.results()
        counts = {}
        for topic in self.topics:
            count = len(kept.kept & self._topic(topic))
            if count:
                counts[topic] = count
        return len(results), counts, [hit["doc_id"] for hit in results]

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
