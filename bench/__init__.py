"""Benchmarks: a synthetic corpus (``corpus``) and varied queries drawn from
it (``queries``); the search benchmark (``search``, run with ``python -m
bench.search``), its references (FTS5 and a new Whoosh searcher per query,
``references``; Whoosh on an index of its stock writer, ``stock_whoosh``),
a warm server with a logged-in client (``server``) and what is measured on
it (``live``, ``procfs``, ``throughput``), one change at a time
(``changes``), and its report (``results``, ``report``, ``targets``); figures written to
JSON and two runs compared (``figures``, ``compare``). The page benchmark
is ``benchmarks/pages.py``."""

from __future__ import annotations

import sys


def say(text: str) -> None:
    """Progress, on standard error (the report goes to standard output)."""
    print(f"  … {text}", file=sys.stderr, flush=True)
