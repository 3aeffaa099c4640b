# Portfolio Alignment Tracker: `make run` to try it, `make test` to check it.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
TRACKER_PORT ?= 8000
export TRACKER_PORT

.PHONY: run test lint format setup clean help screenshots

help:
	@echo "make run    install, migrate, load the framework and a demo portfolio, serve on :$(TRACKER_PORT)"
	@echo "make test   install the development tools and run every test"
	@echo "make lint   ruff check and format check"

$(VENV)/.python-ok:
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed (python3 --version)"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed-run: pyproject.toml $(VENV)/.python-ok
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.python-ok
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run
	$(BIN)/tracker setup --demo-projects 300

run: setup
	TRACKER_EMBEDDED_SCHEDULER=true $(BIN)/tracker serve --port $(TRACKER_PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

screenshots: $(VENV)/.installed-dev
	TRACKER_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/browser/test_screenshots.py

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
