"""The references every figure is compared with, on the same data (the
third, Whoosh on an index of its stock writer, is ``bench.stock_whoosh``).

- SQLite FTS5 (porter tokenizer, bm25 ranking, ``snippet()``), built from the
  very texts the index holds for members, answering each query with the top
  ten and their snippets, the total and the counts by topic, as the search
  page does.
- Whoosh with a new searcher opened per query, as simple integrations do:
  ``index.open_dir`` and a searcher for every query, then the same query,
  facets and highlights as the project's engine."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, index
from whoosh import query as wq

from notesbase.search.analysis import analyse
from notesbase.search.engine import Access, Document
from notesbase.search.query import AnyOf, Clause, ParsedQuery, Prefix, Term, Word

SNIPPET = "snippet(docs, 1, '<mark>', '</mark>', ' … ', 24)"


@dataclass
class Texts:
    """What the index holds for members, by document id (for highlights),
    the member item documents (for FTS5), and every document (for the
    stock Whoosh index), gathered during a rebuild."""

    by_doc_id: dict[str, str] = field(default_factory=dict)
    member_items: list[Document] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    def take(self, documents: list[Document]) -> None:
        self.documents.extend(documents)
        for document in documents:
            self.by_doc_id[document.doc_id] = document.text
            if document.doctype == "item" and "member" in document.audiences:
                self.member_items.append(document)


class Fts5:
    """The FTS5 reference, in a database file of its own."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode = WAL")

    def build(self, documents: list[Document]) -> None:
        db = self.connection
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='porter unicode61')")
        db.execute("CREATE TABLE doc_topics (doc INTEGER NOT NULL, topic TEXT NOT NULL)")
        with db:
            db.executemany(
                "INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
                ((d.target, d.title, d.text) for d in documents),
            )
            db.executemany(
                "INSERT INTO doc_topics (doc, topic) VALUES (?, ?)",
                ((d.target, topic) for d in documents for topic in d.topics),
            )
        db.execute("CREATE INDEX ix_doc_topics ON doc_topics (topic, doc)")
        db.execute("CREATE INDEX ix_doc_topics_doc ON doc_topics (doc, topic)")
        db.commit()

    def search(self, match: str, topic: str | None) -> tuple[int, list[Any], dict[str, int]]:
        """Top ten with snippets, the total and the counts by topic. CROSS
        JOIN keeps the full-text match as the outer loop: with ``rowid IN
        (...)`` SQLite would run the match once per candidate row."""
        joins, params = "", [match]
        if topic:
            joins = " CROSS JOIN doc_topics AS t ON t.doc = docs.rowid AND t.topic = ?"
            params = [topic, match]
        db = self.connection
        top = db.execute(
            f"SELECT docs.rowid, {SNIPPET}, bm25(docs) FROM docs{joins} "  # noqa: S608 - constant
            "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
            params,
        ).fetchall()
        total = db.execute(
            f"SELECT count(*) FROM docs{joins} WHERE docs MATCH ?",  # noqa: S608 - constant
            params,
        ).fetchone()[0]
        facets = (
            f"SELECT a.topic, count(*) FROM docs{joins} "  # noqa: S608 - constant text
            "CROSS JOIN doc_topics AS a ON a.doc = docs.rowid WHERE docs MATCH ? GROUP BY a.topic"
        )
        counts = dict(db.execute(facets, params).fetchall())
        return int(total), top, counts

    def close(self) -> None:
        self.connection.close()


def highlighted(engine_results: Any, texts: Texts) -> list[str]:
    """Highlights of every hit on the page, from the texts the index holds."""
    return [
        engine_results.highlight(position, texts.by_doc_id.get(doc.doc_id, ""))
        for position, doc in enumerate(engine_results.docs)
    ]


def new_searcher_search(
    root: Path, parsed: ParsedQuery, access: Access, texts: Texts
) -> tuple[int, list[str]]:
    """The same query the plain Whoosh way: ``index.open_dir`` and a new
    searcher for every query, Whoosh's own query objects and matchers, the
    reader's access as a filter query, and the top ten highlighted. It asks
    for less than the project's search does (no exact total, no topic
    counts: Whoosh would visit every match for them), so ratios to it
    understate the difference. The total returned is Whoosh's estimate."""
    path = root / (root / "CURRENT").read_text(encoding="ascii").strip()
    with index.open_dir(str(path)).searcher() as searcher:
        allowed = wq.Or(
            [
                wq.Term("audiences", "public"),
                *(
                    wq.And([wq.Term("series", str(series)), wq.Term("audiences", audience)])
                    for series, audience in access.by_series
                ),
            ]
        )
        narrowing = [wq.Term("topics", topic) for topic in parsed.filters.topics]
        results = searcher.search(
            whoosh_query(parsed),
            filter=wq.And([allowed, *narrowing]) if narrowing else allowed,
            limit=10,
        )
        total = results.estimated_length()
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        shown = [
            hit.highlights("text", text=texts.by_doc_id.get(hit["doc_id"], "")) for hit in results
        ]
    return total, shown


def whoosh_query(parsed: ParsedQuery) -> wq.Query:
    """The words of ``parsed`` as Whoosh's own query objects (every prefix
    expansion, as ``wq.Prefix`` does)."""
    required = [_clause(clause) for clause in parsed.required]
    query: wq.Query = wq.And(required) if len(required) > 1 else required[0]
    if parsed.excluded:
        query = wq.AndNot(query, wq.Or([_term(term) for term in parsed.excluded]))
    return query


def _clause(clause: Clause) -> wq.Query:
    if isinstance(clause, AnyOf):
        return wq.Or([_term(option) for option in clause.options])
    return _term(clause)


def _term(term: Term) -> wq.Query:
    if isinstance(term, Prefix):
        return wq.Or([wq.Prefix(name, term.text) for name in ("text", "title")])
    words = analyse(term.text if isinstance(term, Word) else " ".join(term.words))
    if len(words) == 1:
        return wq.Or([wq.Term(name, words[0]) for name in ("text", "title")])
    return wq.Or([wq.Phrase(name, words) for name in ("text", "title")])
