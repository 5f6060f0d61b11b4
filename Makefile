# The two commands a newcomer runs on a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KB := $(BIN)/kb
DEMO_DB := kb.sqlite3
DEMO_SITE := site
STAMP := $(VENV)/.installed
# Seed ontology: every YAML file in data/ except the paper-scan vocabulary.
SEED := $(filter-out data/vocabulary.yaml,$(wildcard data/*.yaml))

.PHONY: demo test test-all venv lint schema docs screenshot system-deps clean bench bench-quick bench-experiment

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project's requirements change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,experiments]'
	touch $(STAMP)

venv: $(STAMP)

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(KB) --db sqlite:///$(DEMO_DB) init
	$(KB) --db sqlite:///$(DEMO_DB) import $(SEED)
	$(KB) --db sqlite:///$(DEMO_DB) concept list
	$(KB) --db sqlite:///$(DEMO_DB) summary
	@echo "== the glossary (open the index page below in a browser)"
	$(KB) --db sqlite:///$(DEMO_DB) report -o $(DEMO_SITE)

# Debian's Chromium drives the browser tests (Playwright is told to use it; never
# `playwright install`, which downloads a browser). Installed only when missing; needs root.
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "== installing chromium (apt)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "== /usr/bin/chromium is missing: browser tests will skip (sudo apt-get install chromium)"; \
	  fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Regenerate committed artefacts that tests keep current.
schema: $(STAMP)
	$(KB) schema > schema/kb.schema.json

docs: $(STAMP)
	$(BIN)/python -m cli.readme_reference --write README.md
	$(BIN)/python -m kb.audit.docs --write

# The README's picture of a concept page: the seed data's induction head, desktop width.
screenshot: $(STAMP) system-deps
	$(BIN)/python -m tests.browser.screenshot docs/concept-page.png

clean:
	rm -rf $(VENV) $(DEMO_SITE) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm dist build

# The suite on both backends, as CI runs it (starts a local PostgreSQL; needs root).
test-all: $(STAMP) system-deps
	KB_TEST_POSTGRES_URL=$$(bash .ci/postgres-up | tail -n 1) KB_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The benchmark suite (benchmarks/run.py; results in benchmarks/RESULTS.md). Not part of `test`.
# `bench`: the full scale KB (1M runs, 100k claims; about half an hour on 2 cores, data reused
# from the last run at the same scale). `bench-quick`: 1% of it, under a minute.
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --scale 1 $(BENCH_ARGS)

bench-quick: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --scale 0.01 $(BENCH_ARGS)

# `kb experiment induction-heads` with its defaults against the issue's goals (under 5 minutes on
# 2 cores; a head satisfying each definition). Minutes per repetition; needs the experiments extra.
bench-experiment: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.experiment $(BENCH_ARGS)
