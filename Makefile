# Portfolio Alignment Tracker: `make run` to try it, `make test` to check it.

# The newest Python 3.11+ on the PATH, found once and quietly: a name can be on the PATH and still
# not run (a pyenv shim for a version that is not selected says so on stderr), so each candidate
# is run with its messages silenced, and only one that answers is kept.
ifndef PYTHON
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 \
	&& $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& echo $$p && break; done 2>/dev/null)
endif
VENV := .venv
BIN := $(VENV)/bin
TRACKER_PORT ?= 8000
export TRACKER_PORT

.PHONY: run test lint format setup clean help screenshots fuzz coverage messages catalogues

help:
	@echo "make run    install, migrate, load the framework and a demo portfolio, serve on :$(TRACKER_PORT)"
	@echo "make test   install the development tools and run every test"
	@echo "make lint   ruff check and format check"
	@echo "make fuzz   Schemathesis at length, on SQLite and PostgreSQL"
	@echo "make coverage  line coverage of tracker/services on SQLite and on PostgreSQL"
	@echo "make screenshots  the README's screenshots, from Chromium"
	@echo "make messages  gather the strings to translate into tracker/locale/*/messages.po"

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

# axe-core, which the browser tests inject into pages to check their accessibility: the exact
# version in package-lock.json, from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The message catalogues (French, Spanish, Arabic), compiled from their .po files; the .mo files
# are built here, never committed. `make messages` gathers new strings into every .po (marked
# untranslated until someone translates them; the tests say which).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard tracker/locale/*/LC_MESSAGES/messages.po))

tracker/locale/%/LC_MESSAGES/messages.mo: tracker/locale/%/LC_MESSAGES/messages.po $(VENV)/.installed-run
	@$(BIN)/pybabel -q compile -i $< -o $@ -l $*

catalogues: $(CATALOGUES)

messages: $(VENV)/.installed-run
	$(BIN)/pybabel -q extract -F pyproject.toml -k N_ -k Nn_:1,2 -k counted:1,2 --no-location --sort-output \
		--project "Portfolio Alignment Tracker" --copyright-holder "Portfolio Alignment Tracker" \
		-o tracker/locale/messages.pot .
	$(BIN)/pybabel -q update -i tracker/locale/messages.pot -d tracker/locale \
		--no-wrap --ignore-obsolete

setup: $(VENV)/.installed-run $(CATALOGUES)
	$(BIN)/tracker setup --demo-projects 300

# The key that signs sessions and links: made once, kept in var/secret_key (mode 600), so that
# what it signed stays valid across restarts. `make run` serves with it unless TRACKER_SECRET_KEY
# is set in the environment or in .env. `make clean` removes it with the rest of var/.
SECRET_KEY_FILE := var/secret_key

$(SECRET_KEY_FILE):
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed (python3 --version)"; exit 1; fi
	@mkdir -p $(@D)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@.new
	@chmod 600 $@.new && mv $@.new $@
	@echo "Made a secret key in $@: it signs sessions and links; keep it private."

# Ctrl-C (SIGINT to the terminal's process group) or SIGTERM stops the server gracefully and
# `make run` ends quietly. The server starts with both signals ignored and takes them over
# itself (uvicorn catches them while it serves); once it has shut down it puts the ignore back
# before passing the signal on, so it exits 0 rather than dying of the signal, and make has no
# failed recipe to report.
run: setup $(SECRET_KEY_FILE)
	@chmod 600 $(SECRET_KEY_FILE)
	@if [ "$$(wc -c < $(SECRET_KEY_FILE))" -lt 33 ]; then \
		echo "$(SECRET_KEY_FILE) is too short to be a secret key: remove it and run make run again."; \
		exit 1; \
	fi
	@if [ -z "$${TRACKER_SECRET_KEY:-}" ] && ! grep -qsi '^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}TRACKER_SECRET_KEY[[:space:]]*=' .env; then \
		TRACKER_SECRET_KEY="$$(cat $(SECRET_KEY_FILE))"; export TRACKER_SECRET_KEY; \
	fi; \
	echo "TRACKER_EMBEDDED_SCHEDULER=true $(BIN)/tracker serve --port $(TRACKER_PORT)"; \
	trap '' INT TERM; \
	TRACKER_EMBEDDED_SCHEDULER=true exec $(BIN)/tracker serve --port $(TRACKER_PORT)

test: $(VENV)/.installed-dev node_modules/.installed $(CATALOGUES)
	$(BIN)/pytest -n 2 --dist worksteal -m "not serial"
	$(BIN)/pytest -p no:xdist -m serial

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Line coverage of the services on each database: each test is recorded under its name, which
# says its backend; tests without one count for both.
coverage: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 -q -m "not serial" --cov=tracker/services --cov-context=test --cov-report=
	@echo "SQLite:";     $(BIN)/coverage report --contexts='^(?!.*postgresql).*$$' | tail -n 1
	@echo "PostgreSQL:"; $(BIN)/coverage report --contexts='^(?!.*sqlite).*$$' | tail -n 1

# Schemathesis longer (more examples, every phase for both roles) on SQLite and PostgreSQL.
fuzz: $(VENV)/.installed-dev
	TRACKER_FUZZ_DEEP=1 $(BIN)/pytest -q -p no:xdist tests/api/test_schemathesis.py

screenshots: $(VENV)/.installed-dev
	TRACKER_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/browser/test_screenshots.py

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
