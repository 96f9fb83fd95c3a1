# Linli: `make run` serves the demo district, `make test` runs the suite. Both set up
# everything they need from a fresh clone and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PACKAGES := app spaces stations needs

.PHONY: help install migrate demo run test test-sqlite test-postgres test-e2e bench lint messages clean

help:
	@echo "make run      set up, migrate, load the demo district once, serve on http://127.0.0.1:8000"
	@echo "make test     set up and run the test suite (also on PostgreSQL when LINLI_TEST_POSTGRES_URL is set)"
	@echo "make test-e2e browser journeys (Chromium), API fuzzing and multi-process contention"
	@echo "make bench    run the benchmarks (wrk) and print one table; see bench-results/"
	@echo "make lint     ruff (check and format) over every package, import-linter's contracts, mypy"
	@echo "make messages extract and merge translatable strings into the catalogs"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Linli needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/linli migrate

demo: migrate
	$(BIN)/linli demo

run: demo
	$(BIN)/linli serve

# ical.js, a second iCalendar parser the feed tests use when Node is installed.
FEED_JS := tests/feeds_js/node_modules/ical.js/package.json
$(FEED_JS): tests/feeds_js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/feeds_js --no-audit --no-fund --silent \
		|| echo "npm ci failed: the feed tests check with the Python parsers only."; \
	else echo "npm not found: the feed tests check with the Python parsers only."; fi

test: install $(FEED_JS)
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$LINLI_TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "LINLI_TEST_POSTGRES_URL is not set: the database tests ran on SQLite only."; fi

E2E_STAMP := $(VENV)/.e2e-stamp
$(E2E_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,e2e]'
	touch $(E2E_STAMP)

# Live servers on free ports, Debian's Chromium through Playwright (skipped with a reason
# when none is installed, except under CI=1), Schemathesis, and 200 concurrent bookings on
# SQLite and, when LINLI_TEST_POSTGRES_URL is set, on PostgreSQL with 4 processes.
test-e2e: install $(E2E_STAMP)
	LINLI_E2E=1 $(BIN)/pytest tests/e2e $(PYTEST_ARGS)

test-sqlite: install
	LINLI_TEST_ENGINE=sqlite $(BIN)/pytest $(PYTEST_ARGS)

# Only the tests that touch a database run again on PostgreSQL; pytest exits with 5 when a
# selection collects nothing, which is not a failure here.
test-postgres: install
	@test -n "$$LINLI_TEST_POSTGRES_URL" || { echo "set LINLI_TEST_POSTGRES_URL"; exit 2; }
	LINLI_TEST_ENGINE=postgres $(BIN)/pytest -m db $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "no database tests collected"; exit 0; fi; exit $$status

# Benchmarks need wrk, Debian's package; root may install it here, others are told how.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python -m tests.benchmarks.run

# In this order, stopping at the first failure. Contracts: [tool.importlinter] in
# pyproject.toml; mypy's settings: [tool.mypy].
lint: install
	$(BIN)/ruff check $(PACKAGES) tests
	$(BIN)/ruff format --check $(PACKAGES) tests
	$(BIN)/lint-imports
	$(BIN)/mypy

messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -o app/locale/messages.pot \
		--msgid-bugs-address= --project=Linli --copyright-holder="Linli" .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/locale/messages.pot -d app/locale

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
