# ReturnWatch — `make run` serves the site with SQLite and a task worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
# Running the site needs only the runtime dependencies; tests, lint and benchmarks add `dev`.
STAMP := $(VENV)/.installed-run-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: run worker test test-sqlite test-postgres bench lint messages demo

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.installed-run-*
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-dev-*
	touch $(DEV_STAMP)

messages: $(STAMP)
	$(PY) -m returnwatch.languages

run: export DEBUG ?= 1
run: messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty --with-users
	@# A task-queue worker beside the web server; Ctrl-C (or the server ending) stops both.
	$(PY) manage.py run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# One task-queue worker (captures, scheduled checks); production runs it as its own service.
worker: messages
	$(PY) manage.py run_huey

# The suite runs on SQLite, then on PostgreSQL when TEST_POSTGRES_URL is set (CI sets it).
# The PostgreSQL pass leaves out the Chromium tests (marker `browser`), which drive pages the
# SQLite pass already drives, and the tests that do not depend on the engine (marker
# `engine_neutral`, listed in conftest.py): CI must stay under 20 minutes. PG_PYTEST_ARGS= runs
# them too.
# Tests run in one process per core (pytest-xdist, tests handed out a few at a time; each process
# has its own test database); TEST_WORKERS=0 runs them in this process.
PG_PYTEST_ARGS ?= -m "not browser and not engine_neutral"
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)
test: messages $(DEV_STAMP)
	$(PY) -m pytest -q $(XDIST) $(PYTEST_ARGS)
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== PostgreSQL =="; \
		DATABASE_URL="$$TEST_POSTGRES_URL" $(PY) -m pytest -q $(XDIST) $(PG_PYTEST_ARGS) $(PYTEST_ARGS); \
	fi

bench: messages $(DEV_STAMP)
	$(PY) bench/run.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check returnwatch bench
	$(VENV)/bin/ruff format --check returnwatch bench
	$(VENV)/bin/mypy
