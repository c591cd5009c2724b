# Safe Passage — the two commands of the README quick start, and a few helpers.
# The first interpreter that really runs and is 3.11+ (pyenv shims can exist for versions not enabled).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV   := .venv
# pytest-xdist workers: one per CPU (each has its own databases, ports and browser).
PYTEST_WORKERS ?= auto
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck audit-deps pytest install install-dev clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required (python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Run the demo: fresh SQLite database with demo data, one login per role, served on 127.0.0.1:8000.
demo: install
	$(BIN)/safepassage demo

## Run the whole test suite (lint, types, tests). PostgreSQL too when SAFEPASSAGE_TEST_DATABASE_URL is set.
test: install-dev lint typecheck audit-deps pytest

lint: install-dev
	$(BIN)/ruff check src tests bench

typecheck: install-dev
	$(BIN)/mypy

audit-deps: install-dev
	$(BIN)/python tools/audit_deps.py

pytest: install-dev
	$(BIN)/pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS)

clean:
	rm -rf $(VENV) var/demo .pytest_cache .mypy_cache .ruff_cache
