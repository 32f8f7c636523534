# syncapp: `make run` starts the demo, `make test` runs the whole suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SIZE ?= full

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench faults screenshots clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP) ## set up and start the emulator, the worker and the admin on http://127.0.0.1:8000/admin/
	$(PY) -m core.dotenv
	$(PY) manage.py migrate --noinput --skip-checks  # run_demo checks once the demo org is configured
	$(PY) manage.py createcachetable
	$(PY) manage.py ensure_admin
	$(PY) manage.py ensure_schedules
	$(PY) manage.py run_demo

lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## ruff fix and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint ## set up, lint, then run the whole test suite (browser tests included)
	bash .ci/ensure-chromium
	$(VENV)/bin/pytest -n auto

bench: $(STAMP) ## every benchmark; figures into docs/benchmarks.md (SIZE=small: minutes; DATABASE_URL: PostgreSQL)
	$(PY) -m benchmarks --size $(SIZE)

faults: $(STAMP) ## kill and fault the worker at full size; totals into docs/benchmarks.md (FAULTS_SIZE=small: quick)
	$(PY) -m benchmarks.faults

screenshots: $(STAMP) ## write PNGs of the main admin pages to docs/screenshots/ (Debian's chromium)
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest -q -p no:cacheprovider tests/browser/test_screenshots.py

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
