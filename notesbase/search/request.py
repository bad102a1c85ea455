"""A search as the engine runs it, as one value: the parsed query, who is
asking, which page in which order, and what to leave out."""

from __future__ import annotations

from dataclasses import dataclass

from notesbase.search.query import ParsedQuery


@dataclass(frozen=True)
class Access:
    """Who is searching: the audiences they read each series as; everyone
    reads the public documents."""

    by_series: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class SearchRequest:
    """One page of a search: ``parsed`` among the documents ``access`` may
    see, ``per_page`` hits a page, best first (or newest first, ``by_date``),
    minus the documents named by ``stale_keys`` ("item:12") and
    ``stale_scopes`` ("meeting:3"): changes still waiting in the outbox, and
    hits the re-check dropped. Counts and topic counts leave them out too."""

    parsed: ParsedQuery
    access: Access
    page: int = 1
    per_page: int = 10
    by_date: bool = False
    stale_keys: frozenset[str] = frozenset()
    stale_scopes: frozenset[str] = frozenset()
