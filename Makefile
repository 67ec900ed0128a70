# Two commands on a fresh machine:  make run  (app with demo data)  and  make test  (ruff + whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := competition:create_app

.PHONY: install lock run test lint format translations extract-translations system-deps clean bench

# Installs are reproducible: the exact versions and hashes of every dependency come from the lock files, which
# `make lock` compiles from the ranges in pyproject.toml (pip-tools). `pip check` fails when pyproject.toml asks for
# something the lock does not have: run `make lock` after changing dependencies (`make lock UPGRADE=1` to move every
# pin to the newest version the ranges allow).
LOCK_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-trusted-host \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)

$(BIN)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $@

lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --output-file=requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev --constraint requirements.lock --output-file=requirements-dev.lock \
	  pyproject.toml

install: $(BIN)/.installed translations

translations: $(BIN)/.installed
	@$(BIN)/pybabel compile -d competition/translations >/dev/null

extract-translations: $(BIN)/.installed
	$(BIN)/pybabel extract -w 120 -F babel.cfg -k _l -k lazy_gettext -o competition/translations/messages.pot .
	$(BIN)/pybabel update -w 120 -i competition/translations/messages.pot -d competition/translations --no-fuzzy-matching

run: install
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(RUNTIME_PACKAGES)"
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	$(BIN)/flask demo results
	@echo "App läuft auf http://127.0.0.1:5000  (Strg+C beendet)"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium; PDFs need Pango for WeasyPrint. Installed when missing (needs root, as on CI).
RUNTIME_PACKAGES := fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
SYSTEM_PACKAGES ?= $(RUNTIME_PACKAGES) chromium poppler-utils
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Bitte installieren: sudo apt-get install$$missing" >&2; exit 1; fi; fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -q -r competition -c pyproject.toml
	BIN=$(BIN) .ci/audit

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install system-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Each benchmark runs alone and prints its figures; bench/pdf.py joins when present.
BENCHMARKS := uploads assignment conflicts ranking deadline_rush pages pdf votes
# The deadline rush runs twice: on the embedded default (SQLite) and on PostgreSQL with RQ jobs on Redis.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/competition_rush_bench
bench: install
	@set -e; for b in $(BENCHMARKS); do \
	  if [ -f bench/$$b.py ]; then echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py; fi; \
	  if [ $$b = deadline_rush ]; then echo "== bench/deadline_rush.py --database-url (PostgreSQL + Redis)"; \
	    $(BIN)/python bench/deadline_rush.py --database-url $(BENCH_PG_URL); fi; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
