# The two commands the README opens with: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint bench chromium fonts wrk audit

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Set up and run Duban on SQLite with the sample reports loaded, plus a Celery worker with
# embedded beat (filesystem broker, email to var/celery.log) that stops with the web server.
run: install fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	mkdir -p var
	$(VENV)/bin/celery -A config worker -B --loglevel=INFO --concurrency=1 >var/celery.log 2>&1 & \
	  WORKER=$$!; trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST)

# Browser tests need Debian's Chromium; install it when we may (root) and it is missing.
chromium:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium) || echo "chromium missing: browser tests will skip (fail under CI=true)"; }

# The 督查通报's chart draws Chinese labels with a CJK font (Debian's fonts-wqy-zenhei); install it when we may
# (root) and none is there. Without one the chart labels its bars by rank number and the documents still build.
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei) || echo "no CJK font: chart labels fall back to numbers (apt-get install fonts-wqy-zenhei)"; }

# Set up and run the whole test suite (integration tests use DATABASE_URL / REDIS_URL when set).
test: install chromium fonts
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks (bench/run_all.py needs PostgreSQL on localhost and wrk): the quick run by default,
# `make bench BENCH=` for the whole district (100 towns, 30,000 targets).
BENCH ?= --quick
# The write bench drives gunicorn with wrk (Debian package); install it when we may (root) and it is missing.
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq wrk) || echo "wrk missing: apt-get install wrk"; }

bench: install wrk
	$(PY) bench/extraction.py
	$(PY) bench/run_all.py $(BENCH)

# Security audit: bandit on the app code (settings in pyproject.toml; each remaining finding is explained in
# docs/security.md), then pip-audit of the pinned requirements. --strict fails when a package could not be
# checked (e.g. the vulnerability service is unreachable) instead of reporting a clean audit of nothing.
audit: install
	$(VENV)/bin/bandit -r config targets reports notifications -c pyproject.toml -q
	$(VENV)/bin/pip-audit -r requirements.txt --strict --progress-spinner off
