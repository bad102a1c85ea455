"""What one run of the search benchmark measured (``bench.search`` fills
it in, ``bench.report`` prints it and writes it as figures)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench import corpus
from bench.corpus import Query
from bench.figures import Sample
from bench.live import Answers, ColdRun
from bench.procfs import Memory
from bench.throughput import Throughput

HTTP = "HTTP GET /search, warm server"
SERVICE = "service.search (re-check, snippets)"
ENGINE_HL = "Engine.search + highlights"
ENGINE = "Engine.search alone"
NEW_SEARCHER = "ref: Whoosh, new searcher per query"
STOCK_TOP = "ref: Whoosh stock index, top 10 + estimate"
STOCK_EXACT = "ref: Whoosh stock index, exact counts"
FTS = "ref: SQLite FTS5 (bm25, snippet)"
ROWS = [HTTP, SERVICE, ENGINE_HL, ENGINE, NEW_SEARCHER, STOCK_TOP, STOCK_EXACT, FTS]

AFTER_START = "after start-up"
AFTER_VARIED = "after the varied queries"
AFTER_THROUGHPUT = "after the throughput runs"


@dataclass
class Rebuild:
    processes: int
    wall: float
    cpu: float
    documents: int


@dataclass
class Renders:
    """Item bodies ``disclose`` was asked for while answering, and how many
    of them it had not rendered before (or no longer kept)."""

    asked: int = 0
    cold: int = 0


@dataclass
class Results:
    loaded: corpus.Loaded | None = None
    load_seconds: float = 0.0
    rebuilds: list[Rebuild] = field(default_factory=list)
    fts_build: float = 0.0
    fts_documents: int = 0
    stock_build: float = 0.0
    stock_documents: int = 0
    index_bytes: int = 0
    server_label: str = ""
    # query name -> row label -> sample; and hit counts (one query of each
    # kind, asked again and again)
    search: dict[str, dict[str, Sample]] = field(default_factory=dict)
    hits: dict[str, dict[str, int]] = field(default_factory=dict)
    # Varied queries, each asked once: over HTTP, the hits the engine found
    # for each, and a mix in process with what ``disclose`` rendered cold.
    varied: Answers | None = None
    asked: list[Query] = field(default_factory=list)
    totals: dict[Query, int] = field(default_factory=dict)
    mix: Sample | None = None
    throughput: list[Throughput] = field(default_factory=list)
    renders: Renders | None = None
    # moment -> worker pid -> memory; fresh servers' first answers
    memory: dict[str, dict[int, Memory]] = field(default_factory=dict)
    cold: list[ColdRun] = field(default_factory=list)
    updates: dict[str, Sample] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
