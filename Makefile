# ReturnWatch — `make run` serves the site with SQLite and a task worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run worker test test-sqlite test-postgres bench lint messages demo

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

messages: $(STAMP)
	$(PY) -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-2] + 'mo') for p in glob.glob('returnwatch/**/locale/*/LC_MESSAGES/*.po', recursive=True)]"

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
test: messages
	$(PY) -m pytest -q $(PYTEST_ARGS)
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== PostgreSQL =="; \
		DATABASE_URL="$$TEST_POSTGRES_URL" $(PY) -m pytest -q $(PYTEST_ARGS); \
	fi

bench: messages
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check returnwatch bench
	$(VENV)/bin/ruff format --check returnwatch bench
