# The README's commands. `make run` sets up and runs the app; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test test-fast lint format browser pdf-libs serve worker deliver-events clean

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
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

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

# Production-style: static files collected (hashed, compressed) and gunicorn serving them
# with the app. Set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (see .env.example)
# and run `manage.py migrate` first; docs/operations.md has the rest.
serve: install pdf-libs
	$(BIN)/python manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# Webhook and e-mail delivery (docs/notifications.md). With CELERY_BROKER_URL set (Redis):
# a Celery worker with the beat safety net; run more `celery -A config worker` to scale out
# (only one process with --beat). Without a broker: the polling loop.
worker: install
	$(BIN)/celery -A config worker --beat --schedule $(VENV)/celerybeat-schedule --loglevel=INFO

deliver-events: install
	$(BIN)/python manage.py deliver_events --interval 5

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
