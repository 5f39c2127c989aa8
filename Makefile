# derisk: `make demo` sets up and runs the main job; `make test` sets up and runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint typecheck unit bench db clean bundle

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)

db: setup
	$(BIN)/derisk db init

demo: setup
	$(BIN)/derisk db init
	$(BIN)/derisk overview
	$(BIN)/derisk exposure antimony --stage mining --importer USA
	$(BIN)/derisk report overview --out out/overview.html

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest

test: lint typecheck unit

bench: setup
	$(PY) benchmarks/build_and_query.py

bundle: setup
	$(PY) scripts/build_bundled.py

clean:
	rm -rf $(VENV) out build .mypy_cache .pytest_cache .ruff_cache
