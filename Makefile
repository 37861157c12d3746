# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SANDBOX_PORT ?= 8765
export PORT

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

# Web + Celery worker + Celery beat (+ the national-portal sandbox unless NATIONAL_PORTAL_URL is set).
run: seed
ifeq ($(strip $(NATIONAL_PORTAL_URL)),)
	NATIONAL_PORTAL_URL=http://127.0.0.1:$(SANDBOX_PORT) SANDBOX_PORT=$(SANDBOX_PORT) $(BIN)/honcho start -f Procfile
else
	$(BIN)/honcho start -f Procfile web worker beat
endif

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/broker var/cache var/celerybeat-schedule*
