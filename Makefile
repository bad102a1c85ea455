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
.PHONY: bench bench-pages
# Search: a synthetic corpus of N items, beside SQLite FTS5 and Whoosh with a
# new searcher per query (`make bench N=100000` at scale).
bench: $(VENV)/.installed
	$(BIN)/python -m bench.search --items $(N) $(BENCH_ARGS)
# Page latency (series, meetings, notes).
bench-pages: $(VENV)/.installed
	$(BIN)/python benchmarks/pages.py
