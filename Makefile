# The README's commands. `make run` sets up and runs the app; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` and `make serve` listen on HOST:PORT (default 127.0.0.1:8000): set them in the
# environment (PORT=8001 make run), on make's command line (make run PORT=8001) or in .env.

.PHONY: install run demo test test-fast lint format browser pdf-libs serve worker deliver-events manage bench bench-writes clean messages check-messages gettext

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstalls only when the pinned set changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Debian's libraries WeasyPrint draws invoice PDFs with (Pango, HarfBuzz) and a font with
# the Czech and other European letters; installed with apt-get when one is missing.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@dpkg-query -W -f='$${Status}\n' $(PDF_LIBS) 2>/dev/null | grep -c "ok installed" | grep -qx "$(words $(PDF_LIBS))" || { \
		echo "Installing the PDF libraries for invoices (apt-get): $(PDF_LIBS)" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS) >/dev/null; }

run: install pdf-libs
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo
	address=$$($(BIN)/python -m config.env) && $(BIN)/python manage.py runserver "$$address"

# Any manage.py command with the project's Python: make manage ARGS="create_api_key Shop".
manage: install
	$(BIN)/python manage.py $(ARGS)

# Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests (apt-get)..." >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install browser pdf-libs
	$(BIN)/pytest

test-fast: install pdf-libs
	$(BIN)/pytest -m "not browser and not integration"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The Czech catalogues (README, Languages). `make messages` extracts every marked text into
# the project's locale/ and each app's locale/ (makemessages -l cs) and compiles them; the
# .po and .mo files are committed, so nothing else needs building. `make check-messages` (CI)
# fails on a text without a Czech translation, a fuzzy one, or a catalogue not current with
# the sources (config/catalogues.py). Both need GNU gettext, installed with apt-get if missing.
messages: install gettext
	$(BIN)/python -m config.catalogues update

check-messages: install gettext
	$(BIN)/python -m config.catalogues check

gettext:
	@command -v xgettext >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1 || { \
		echo "Installing GNU gettext for the translation catalogues (apt-get)..." >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }

# Production-style: static files collected (hashed, compressed) and gunicorn serving them
# with the app. Set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (see .env.example)
# and run `manage.py migrate` first; docs/operations.md has the rest.
serve: install pdf-libs
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# Webhook and e-mail delivery (docs/notifications.md). With CELERY_BROKER_URL set (Redis):
# a Celery worker with the beat safety net; run more `celery -A config worker` to scale out
# (only one process with --beat). Without a broker: the polling loop.
worker: install
	$(BIN)/celery -A config worker --beat --schedule $(VENV)/celerybeat-schedule --loglevel=INFO

deliver-events: install
	$(BIN)/python manage.py deliver_events --interval 5

# The API benchmark (docs/performance.md), not part of `make test` or CI. Needs PostgreSQL
# on 127.0.0.1; grows databases orders_bench_$(BENCH_BASE) and orders_bench_$(ORDERS) (kept
# for the next run), serves our app and the floor app, prints the table and the filters'
# slowdown from BENCH_BASE to ORDERS. E.g. `make bench ORDERS=1000000` (a few minutes to grow).
ORDERS ?= 100000
BENCH_BASE ?= 10000
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench.grow --orders $(BENCH_BASE)
	$(BIN)/python -m bench.run --orders $(BENCH_BASE) $(BENCH_ARGS)
	@if [ "$(ORDERS)" != "$(BENCH_BASE)" ]; then \
		$(BIN)/python -m bench.grow --orders $(ORDERS) && \
		$(BIN)/python -m bench.run --orders $(ORDERS) \
			--compare-to bench/results/$(BENCH_BASE).json $(BENCH_ARGS); \
	fi

# Write throughput (docs/performance.md): creates with 3 items and status PATCHes by
# BENCH_CLIENTS clients, on a fresh copy of orders_bench_$(ORDERS) (grown by `make bench`).
BENCH_CLIENTS ?= 8
bench-writes: install
	$(BIN)/python -m bench.writes --orders $(ORDERS) --clients $(BENCH_CLIENTS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
