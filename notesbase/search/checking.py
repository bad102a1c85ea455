"""``notesbase index check``: the index compared with what the database
says it should hold, document by document, and the outbox's backlog."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask

from notesbase.search.backlog import Backlog, backlog
from notesbase.search.context import engine_for, own_session
from notesbase.search.documents import Builder, Document
from notesbase.search.engine import IndexUnavailable, StoredDoc


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    backlog: Backlog = field(default_factory=lambda: Backlog(0, None, {}, {}))
    documents: int = 0

    @property
    def pending(self) -> int:
        return self.backlog.pending

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.backlog.poisoned)


def _same(document: Document, stored: StoredDoc) -> bool:
    return (
        document.fingerprint == stored.fingerprint
        and document.version == stored.version
        and tuple(document.audiences) == stored.audiences
        and tuple(sorted(document.topics)) == tuple(sorted(stored.topics))
        and (document.number, document.day, document.series, document.kind)
        == (stored.number, stored.day, stored.series, stored.kind)
    )


def check(app: Flask) -> CheckReport:
    """Compare the index with the database, document by document."""
    engine = engine_for(app)
    if engine.current_path() is None:
        raise IndexUnavailable("there is no index yet: run `notesbase index rebuild`")
    stored = {doc.doc_id: doc for doc in engine.stored_documents()}
    with own_session(app) as session:
        builder = Builder(session)
        expected = {d.doc_id: d for _, docs in builder.all_documents() for d in docs}
    report = CheckReport(backlog=backlog(app), documents=len(stored))
    report.missing = sorted(set(expected) - set(stored))
    report.extra = sorted(set(stored) - set(expected))
    report.stale = sorted(
        doc_id
        for doc_id in set(expected) & set(stored)
        if not _same(expected[doc_id], stored[doc_id])
    )
    return report
