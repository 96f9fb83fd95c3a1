# Linli: `make run` serves the demo district, `make test` runs the suite. Both set up
# everything they need from a fresh clone and are safe to run again.
#
# Dependencies are installed from uv.lock by uv, which is itself installed from PyPI into
# .tools/ (nothing global). The virtual environment .venv is made by $(PYTHON); uv never
# downloads a Python. After editing dependencies in pyproject.toml, run `make lock`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
LOCK_ARGS ?=
PACKAGES := app spaces stations needs

UV_VERSION := 0.13.9
UV_HOME := .tools/uv-$(UV_VERSION)
UV_BIN := $(UV_HOME)/bin/uv
UV := UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV) $(UV_BIN)
# An exact sync of one set of extras removes the others' packages; each stamp is keyed on
# uv.lock, so a target syncs only when the lock changed, and targets never undo each other.
SYNC := $(UV) sync --frozen --quiet --python $(BIN)/python
STAMP := $(VENV)/.installed-stamp
E2E_STAMP := $(VENV)/.e2e-stamp

.PHONY: help install lock migrate demo run test test-sqlite test-postgres test-e2e lighthouse bench lint messages clean

help:
	@echo "make run      set up .venv from uv.lock, migrate, load the demo district, serve on http://127.0.0.1:8000"
	@echo "make test     set up .venv from uv.lock and run the test suite (also on PostgreSQL when LINLI_TEST_POSTGRES_URL is set)"
	@echo "make test-e2e browser journeys (Chromium), API fuzzing and multi-process contention"
	@echo "make lighthouse audit five pages with Lighthouse (phone, Chinese) and print a table"
	@echo "make bench    run the benchmarks (wrk) and print one table; see bench-results/"
	@echo "make lint     ruff (check and format) over every package, import-linter's contracts, mypy"
	@echo "make lock     re-resolve uv.lock after editing pyproject.toml (LOCK_ARGS=--upgrade-package NAME)"
	@echo "make install  only set up .venv (Linli editable, with the dev tools) from uv.lock"
	@echo "make messages extract and merge translatable strings into the catalogs"
	@echo "make clean    remove .venv, .tools and the caches (keeps data/)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Linli needs Python 3.11 or newer")'
	@echo "Creating the virtual environment in $(VENV) with $$($(PYTHON) -c 'import sys; print(sys.executable, sys.version.split()[0])') …"
	@$(PYTHON) -m venv $(VENV)

# uv is one self-contained program; .venv's pip puts it in .tools/, outside .venv (whose
# packages uv keeps exactly as uv.lock says).
$(UV_BIN): | $(BIN)/python
	@echo "Installing uv $(UV_VERSION) from PyPI into $(UV_HOME) …"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade \
		--target $(UV_HOME) 'uv==$(UV_VERSION)'

# The lock must match pyproject.toml; checking it needs no network when it does.
$(STAMP): uv.lock pyproject.toml | $(BIN)/python $(UV_BIN)
	@$(UV) lock --check --offline --quiet --python $(BIN)/python 2>/dev/null || { \
	  echo "uv.lock does not match pyproject.toml: run 'make lock', then commit uv.lock." >&2; exit 1; }
	@echo "Installing Linli and its dependencies from uv.lock (the first time downloads about 75 MB) …"
	@$(SYNC) --extra dev
	@touch $@

install: $(STAMP)

lock: | $(UV_BIN)
	@echo "Resolving pyproject.toml's dependencies from PyPI into uv.lock …"
	@$(UV) lock --python $(PYTHON) $(LOCK_ARGS)

# Which database linli uses: DATABASE_URL, else the SQLite file data/linli.sqlite. A
# PostgreSQL URL is not printed (it may hold a password).
DB_NAME = $$(case "$$DATABASE_URL" in "") echo data/linli.sqlite;; sqlite:///*) echo "$${DATABASE_URL\#sqlite:///}";; *) echo "named by DATABASE_URL";; esac)

migrate: install
	@echo "Migrating the database $(DB_NAME) …"
	@$(BIN)/linli migrate

demo: migrate
	@echo "Loading the demo district (what is already there is kept) …"
	@$(BIN)/linli demo

run: demo
	@echo "Serving on http://$${LINLI_HOST:-127.0.0.1}:$${LINLI_PORT:-8000} (Ctrl-C stops) …"
	@$(BIN)/linli serve

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

# Rebuilt whenever the dev set is synced again (that sync removes the e2e extra).
$(E2E_STAMP): $(STAMP)
	@echo "Installing the end-to-end tools (Playwright, Schemathesis, georeport) from uv.lock …"
	@$(SYNC) --extra dev --extra e2e
	@touch $@

# Lighthouse, pinned by tests/lighthouse/package-lock.json. Without npm the step only says
# so: tests/e2e/test_lighthouse.py then fails, naming what is missing.
LIGHTHOUSE := tests/lighthouse/node_modules/lighthouse/package.json
$(LIGHTHOUSE): tests/lighthouse/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "Installing Lighthouse from tests/lighthouse/package-lock.json …"; \
		npm ci --prefix tests/lighthouse --no-audit --no-fund --silent && touch $@ \
		|| echo "npm ci failed: the Lighthouse audits cannot run."; \
	else echo "npm not found: the Lighthouse audits cannot run (apt-get install npm)."; fi

# Live servers on free ports, Debian's Chromium through Playwright (skipped with a reason
# when none is installed, except under CI=1), Schemathesis, and 200 concurrent bookings on
# SQLite and, when LINLI_TEST_POSTGRES_URL is set, on PostgreSQL with 4 processes.
test-e2e: install $(E2E_STAMP) $(LIGHTHOUSE)
	LINLI_E2E=1 $(BIN)/pytest tests/e2e $(PYTEST_ARGS)

# Not part of CI's pass or fail: all four categories, performance included, as one table
# (test-artifacts/lighthouse.json holds the scores and the failing audits).
lighthouse: install $(LIGHTHOUSE)
	$(BIN)/python -m tests.lighthouse.run

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
	rm -rf $(VENV) .tools build *.egg-info .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
