# notesbase: `make run` serves the app with demo data; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Two workers by default (pytest-xdist); PYTEST_ARGS='-n 0' runs in one process.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format clean-venv screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { $(PYTHON) -m pip install --user virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip || true

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/notesbase db upgrade
	$(BIN)/notesbase demo --if-empty
	$(BIN)/notesbase run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The README's tour: the browser tests' tour-*.png screenshots, refreshed into docs/tour.
screenshots: $(VENV)/.installed
	$(BIN)/python -m pytest -n 0 tests/browser -k "journey or overview"
	mkdir -p docs/tour
	cp build/screenshots/tour-*.png docs/tour/

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-venv:
	rm -rf $(VENV)

N ?= 10000
BENCH_ARGS ?=
PAGES_ARGS ?=
.PHONY: bench bench-pages
# Search: a synthetic corpus of N items, varied queries each asked once over
# HTTP, cold starts and memory per worker, beside SQLite FTS5 and Whoosh with
# a new searcher per query (`make bench N=100000` at scale). Add
# BENCH_ARGS="--json run.json" to keep the figures for `python -m bench.compare`.
bench: $(VENV)/.installed
	$(BIN)/python -m bench.search --items $(N) $(BENCH_ARGS)
# Page latency by kind of page, a different page each request
# (PAGES_ARGS="--series 3 --meetings 100 --items 200" at a realistic size).
bench-pages: $(VENV)/.installed
	$(BIN)/python benchmarks/pages.py $(PAGES_ARGS)
