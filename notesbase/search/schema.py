"""What the index holds: its Whoosh schema, a document as it is written
(``Document``: stored fields, and the title and text as terms) and as the
index keeps it (``StoredDoc``: stored fields only, never text)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh import columns, fields

from notesbase.search.analysis import ANALYZER, ArrayPositions, analyse


class _NumberColumn(fields.COLUMN):
    """A whole number per document, kept as a column (filters and sorting
    read it for all documents at once) and among the stored fields (the
    hits show it); never indexed as terms."""

    stored = True

    def __init__(self) -> None:
        super().__init__(columns.NumericColumn("i"))


def _text(boost: float = 1.0) -> fields.TEXT:
    field = fields.TEXT(analyzer=ANALYZER, field_boost=boost)
    field.format = ArrayPositions(field_boost=boost)
    return field


def schema() -> fields.Schema:
    """One document per item and distinct audience view, per meeting
    description, per published write-up. Only disclosed text goes in, as
    terms with their positions; what is stored is ids, versions and public
    meeting fields, never text. Only what a search narrows by is indexed as
    a keyword (audiences, series, topics, kind) or kept as a column (meeting
    number, day, and the target id that orders ties), and what a change
    replaces (key, scope)."""
    return fields.Schema(
        doc_id=fields.STORED(),
        # What a change replaces: "item:12", "meeting:3", "writeup:3".
        key=fields.ID(stored=True),
        # Every document of one meeting: "meeting:3".
        scope=fields.ID(),
        doctype=fields.STORED(),
        # The item's or meeting's id, also a column: equal scores are
        # ordered by it (``ranking._stable_keys``).
        target=_NumberColumn(),
        audiences=fields.KEYWORD(stored=True),
        series=fields.ID(stored=True),
        meeting=fields.STORED(),
        number=_NumberColumn(),
        day=_NumberColumn(),
        topics=fields.KEYWORD(stored=True),
        kind=fields.ID(stored=True),
        version=fields.STORED(),
        fingerprint=fields.STORED(),
        title=_text(boost=1.5),
        text=_text(),
    )


@dataclass(frozen=True)
class StoredDoc:
    """A document as the index holds it: stored fields only, no text.
    ``audiences`` are the audiences that see exactly its text, and
    ``fingerprint`` identifies that text."""

    doc_id: str
    key: str
    doctype: str
    target: int
    audiences: tuple[str, ...]
    series: int
    meeting: int
    number: int
    day: int
    topics: tuple[str, ...]
    kind: str
    version: int
    fingerprint: str

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> StoredDoc:
        return cls(
            doc_id=stored["doc_id"],
            key=stored["key"],
            doctype=stored["doctype"],
            target=int(stored["target"]),
            audiences=tuple(stored["audiences"].split()),
            series=int(stored["series"]),
            meeting=int(stored["meeting"]),
            number=int(stored["number"]),
            day=int(stored["day"]),
            topics=tuple(stored.get("topics", "").split()),
            kind=stored["kind"],
            version=int(stored["version"]),
            fingerprint=stored["fingerprint"],
        )


@dataclass(frozen=True)
class Document(StoredDoc):
    """What is written for one view: the stored fields, and the title and
    text that are indexed but not stored."""

    title: str = ""
    text: str = ""

    @property
    def scope(self) -> str:
        return f"meeting:{self.meeting}"

    def fields(self) -> dict[str, Any]:
        """What Whoosh is given: the stored fields, and the title and text
        as ready-made term lists (``analyse``; a meeting's title is
        analysed once for all its items)."""
        stored = {name: getattr(self, name) for name in StoredDoc.__dataclass_fields__}
        return {
            **stored,
            "scope": self.scope,
            "audiences": " ".join(self.audiences),
            "series": str(self.series),
            "topics": " ".join(self.topics),
            "title": _title_terms(self.title),
            "text": analyse(self.text),
        }


@lru_cache(maxsize=4096)
def _title_terms(title: str) -> list[str]:
    return analyse(title)
