# notesbase: `make run` serves the app with demo data; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Two workers by default (pytest-xdist); PYTEST_ARGS='-n 0' runs in one process.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format clean-venv screenshots

# Two installs, each with its stamp, so a second `make run` or `make test`
# installs nothing: what serving needs (`make run`), and that with the test,
# lint and benchmark tools (the `dev` extra: `make test`, `make lint`).
RUN_INSTALLED := $(VENV)/.installed-run
DEV_INSTALLED := $(VENV)/.installed-dev

$(BIN)/python:
	@echo "notesbase: creating the virtualenv $(VENV)"
	$(PYTHON) -m venv $(VENV) || { $(PYTHON) -m pip install --user virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip || true

$(RUN_INSTALLED): pyproject.toml | $(BIN)/python
	@echo "notesbase: installing the app and what it needs to serve, PDF exports included (a minute or two the first time)"
	$(BIN)/python -m pip install -e '.[pdf]'
	touch $@

# The dev extra holds everything serving needs, so `make run` after it installs nothing.
$(DEV_INSTALLED): pyproject.toml | $(BIN)/python
	@echo "notesbase: installing the app with the test tools (a few minutes the first time)"
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@ $(RUN_INSTALLED)

run: $(RUN_INSTALLED)
	$(BIN)/notesbase db upgrade
	$(BIN)/notesbase demo --if-empty
	$(BIN)/notesbase run --host $(HOST) --port $(PORT)

test: $(DEV_INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The README's tour: the browser tests' tour-*.png screenshots, refreshed into docs/tour.
screenshots: $(DEV_INSTALLED)
	$(BIN)/python -m pytest -n 0 tests/browser -k "journey or overview"
	mkdir -p docs/tour
	cp build/screenshots/tour-*.png docs/tour/

lint: $(DEV_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_INSTALLED)
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
bench: $(DEV_INSTALLED)
	$(BIN)/python -m bench.search --items $(N) $(BENCH_ARGS)
# Page latency by kind of page, a different page each request
# (PAGES_ARGS="--series 3 --meetings 100 --items 200" at a realistic size).
bench-pages: $(DEV_INSTALLED)
	$(BIN)/python benchmarks/pages.py $(PAGES_ARGS)
