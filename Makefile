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

.PHONY: demo test venv lint schema docs clean bench bench-quick system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the project's requirements change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,experiments]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(KB) --db sqlite:///$(DEMO_DB) init
	$(KB) --db sqlite:///$(DEMO_DB) import data/*.yaml
	$(KB) --db sqlite:///$(DEMO_DB) concept list

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Regenerate committed artefacts that tests keep current.
schema: $(STAMP)
	$(KB) schema > schema/kb.schema.json

docs: $(STAMP)
	$(BIN)/python -m cli.readme_reference --write README.md

clean:
	rm -rf $(VENV) $(DEMO_SITE) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm dist build
