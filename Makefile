# Two commands do everything on a fresh machine with Python 3.11+:
#   make run   install into .venv, migrate, seed the demo, start web + worker (embedded default)
#   make test  install with the dev extra, then lint, format, migrations, deploy checks and pytest
# Both honour DATABASE_URL and CELERY_BROKER_URL when they are set.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Learners' notebooks run in their own Python environment (var/kernel-env), readable by the
# sandbox's unprivileged user: when make runs as root, it is built from the system's Python,
# because a Python under /root cannot be read by that user.
KERNEL_ENV := var/kernel-env
AXE_VERSION := 4.14.1
AXE := var/node/node_modules/axe-core/axe.min.js
KERNEL_PYTHON ?= $(shell if [ "$$(id -u)" = 0 ] && [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else echo $(PYTHON); fi)

.PHONY: run test install kernel-env lint check pytest clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) $(KERNEL_ENV)/.installed $(AXE)

# axe-core, from the npm registry, checks the pages' accessibility in the browser tests. Without
# npm the install goes on and those checks are skipped (CI installs npm, and fails instead).
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-save --no-audit --no-fund --prefix var/node axe-core@$(AXE_VERSION); \
	else \
		echo "npm was not found: the browser tests' accessibility checks will be skipped"; \
	fi

$(KERNEL_ENV)/.installed: labs/kernel-requirements.txt
	$(KERNEL_PYTHON) -m venv $(KERNEL_ENV)
	$(KERNEL_ENV)/bin/python -m pip install --quiet --upgrade pip
	$(KERNEL_ENV)/bin/python -m pip install --quiet -r labs/kernel-requirements.txt
	touch $@

kernel-env: $(KERNEL_ENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Starting the worker and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops both)"
	$(BIN)/python manage.py run_embedded $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-but-long-enough-to-pass-the-check \
		ALLOWED_HOSTS=cultivate.example.com \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest

clean:
	rm -rf var/cache var/broker var/test-broker* var/test-*.sqlite3 var/test-*.sqlite3-wal var/test-*.sqlite3-shm var/screenshots
