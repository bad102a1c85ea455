"""Benchmarks: a synthetic corpus (``corpus``), the search benchmark
(``search``, run with ``python -m bench.search``), its references (FTS5 and
a new Whoosh searcher per query, ``references``) and a warm server with a
logged-in client (``server``)."""
