# The two commands of the README's quick start:
#   make demo   install Samtrygg in .venv and run `samtrygg demo` (a server with a demo city)
#   make test   install Samtrygg with its test tools (and Chromium from Debian) and run the whole suite,
#               on SQLite and on PostgreSQL, plus ruff
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/samtrygg
PYTEST_ARGS ?=

.PHONY: install install-test system-deps system-deps-test demo test test-sqlite test-postgres lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed system-deps
install-test: $(VENV)/.installed-test system-deps-test

system-deps:
	bash scripts/install-system-deps

system-deps-test:
	bash scripts/install-system-deps --test

demo: install
	$(BIN)/samtrygg demo $(DEMO_ARGS)

lint: install-test
	$(BIN)/ruff check src tests benchmarks

test-sqlite: install-test
	env -u DATABASE_URL $(BIN)/pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install-test
	bash scripts/ensure-postgres
	DATABASE_URL=$(POSTGRES_URL) SAMTRYGG_TESTS_DATABASE_ONLY=1 $(BIN)/pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

test: lint test-sqlite test-postgres
