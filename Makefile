# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
# Settings come from the environment or from .env (KEY=value lines, see .env.example). Only the settings read
# .env (make would parse it as make syntax: `#` starts a comment, `$` expands); `make run` asks
# `python -m bhxh_portal.runplan` which stand-ins are needed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# `make run PORT=9000` (or SANDBOX_PORT, GATEWAY_SANDBOX_PORT) still works: command-line variables reach
# the recipes' environment; defaults live in bhxh_portal/runplan.py.

.PHONY: install run test test-services migrate seed bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Web + Celery worker + Celery beat, plus local stand-ins of the national portal (unless NATIONAL_PORTAL_URL is
# set) and of the SMS/Zalo gateways (unless SMS_GATEWAY_URL is set); `python -m bhxh_portal.runplan --print`
# shows the plan.
run: seed
	$(BIN)/python -m bhxh_portal.runplan

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/broker var/cache var/celerybeat-schedule*
