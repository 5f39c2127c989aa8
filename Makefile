# derisk: `make demo` sets up and runs the main job; `make test` sets up and runs every check.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: fresh-install setup setup-dev demo test lint typecheck unit bench db clean bundle system-deps docs fuzz

# Runtime only (what `make demo` needs).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-[0-9]*
	@touch $(STAMP)

# Everything the checks need: dev tools, Playwright, schemathesis, PySpark.
$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	@rm -f $(VENV)/.installed-dev-*
	@touch $(DEV_STAMP)

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

db: setup
	$(BIN)/derisk db init

demo: setup
	$(BIN)/derisk db init
	$(BIN)/derisk overview
	$(BIN)/derisk exposure antimony --stage mining --importer USA
	$(BIN)/derisk report overview --out out/overview.html
	$(BIN)/derisk serve --writable --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: setup-dev
	$(BIN)/mypy

# The suite runs on PYTEST_WORKERS processes (pytest-xdist), whole files per worker, so that
# module fixtures are built once; PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2

unit: setup-dev system-deps
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck unit fresh-install

# A fresh venv with the Python's own pip installs derisk and runs `derisk --help`.
fresh-install:
	scripts/check_fresh_install.sh

# System packages the tests use: Debian's Chromium for the browser tests (Playwright drives it
# and downloads no browser) and a Java runtime for Spark in local mode.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v java >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$$([ -x /usr/bin/chromium ] || echo chromium) \
			$$(command -v java >/dev/null || echo openjdk-17-jre-headless); \
	fi

bench: setup-dev
	$(PY) benchmarks/build_and_query.py

# Impact analysis of one accepted news event over 100,000 watched products (--tiny: smoke size).
bench-monitor: setup-dev
	$(PY) benchmarks/monitor_impact.py

# Longer fuzzing of every importer (`make test` runs a bounded part): hypothesis, and atheris
# (coverage-guided) from its wheel; FUZZ_SECONDS per importer and engine.
FUZZ_SECONDS ?= 60
fuzz: setup-dev
	$(PY) -m pip install --quiet -e '.[fuzz]' || echo "atheris did not install: hypothesis only"
	$(PY) benchmarks/fuzz.py --seconds $(FUZZ_SECONDS)

bundle: setup
	$(PY) scripts/build_bundled.py
	$(PY) scripts/build_allied_imports.py

# Regenerate the tables of docs/formats.md from the schema (the test checks they are current).
docs: setup
	$(PY) scripts/gen_format_docs.py

clean:
	rm -rf $(VENV) out build .mypy_cache .pytest_cache .ruff_cache
