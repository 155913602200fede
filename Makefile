# Parley: `make run` serves it, `make test` proves it. `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench serve screenshot

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# pip lists each package as it goes: the first install takes about a minute.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || { echo "Creating the virtualenv $(VENV) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Parley's pinned dependencies (requirements.lock) into $(VENV): about a minute the first time ..."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)
	@echo "Installed."

install: $(STAMP) ## create .venv and install the pinned dependencies (requirements.lock)

run: install ## migrate and serve Parley at http://127.0.0.1:8000 (HOST=, PORT= to change; SQLite + in-memory layer)
	@$(PY) -m parley migrate --noinput -v0
	@$(PY) -m parley serve --host $(HOST) --port $(PORT)

test: install lint ## lint, then the whole suite (unit, WebSocket, REST, browser, system), then again on PostgreSQL + Redis
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m tests.services pytest -m "not browser and not system" $(PYTEST_ARGS)

test-fast: install ## the suite without the browser and system tiers
	$(PY) -m pytest -m "not browser and not system" $(PYTEST_ARGS)

serve: install ## production: migrate, then serve on PostgreSQL + Redis, WORKERS processes (default: one per core) and JOB_WORKERS job workers (default 1); docs/deployment.md
	@DJANGO_SETTINGS_MODULE=config.settings.production $(PY) -m parley migrate --noinput -v0
	@DJANGO_SETTINGS_MODULE=config.settings.production $(PY) -m parley serve --host $(HOST) --port $(PORT) $(if $(WORKERS),--workers $(WORKERS)) --job-workers $(or $(JOB_WORKERS),1)

lint: install ## ruff (lint + format check), mypy on the product packages, the import rule (domain never imports transports)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	@$(PY) -m ruff format --check --output-format concise . || { echo "(make format rewraps them)"; exit 1; }

format: install ## ruff format: wrap the code at the project's 100 characters
	$(PY) -m ruff format .

screenshot: install ## regenerate the docs' screenshots: desktop, phone, phone's sidebar (headless chromium)
	$(PY) -m tests.browser.screenshot
	$(PY) -m tests.browser.screenshot --phone --no-thread --out docs/screenshot-room-phone.png
	$(PY) -m tests.browser.screenshot --phone --no-thread --drawer --out docs/screenshot-sidebar-phone.png

bench: install ## fan-out benchmark: Parley vs the tutorial baseline and bare websockets (BENCH_ARGS="--quick"); docs/performance.md
	$(PY) -m bench $(BENCH_ARGS)
