# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
# Settings come from the environment or from .env (KEY=value lines, see .env.example); reading .env here too lets
# `make run` know whether the national portal and the gateways are configured or their stand-ins are needed.
-include .env
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SANDBOX_PORT ?= 8765
GATEWAY_SANDBOX_PORT ?= 8767
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

# Web + Celery worker + Celery beat, plus local stand-ins of the national portal (unless NATIONAL_PORTAL_URL is
# set) and of the SMS/Zalo gateways (unless SMS_GATEWAY_URL is set).
RUN_PROCS := web worker beat
ifeq ($(strip $(NATIONAL_PORTAL_URL)),)
RUN_ENV += NATIONAL_PORTAL_URL=http://127.0.0.1:$(SANDBOX_PORT) SANDBOX_PORT=$(SANDBOX_PORT)
RUN_PROCS += sandbox
endif
ifeq ($(strip $(SMS_GATEWAY_URL)),)
GW := http://127.0.0.1:$(GATEWAY_SANDBOX_PORT)
RUN_ENV += GATEWAY_SANDBOX_PORT=$(GATEWAY_SANDBOX_PORT) SMS_GATEWAY_URL=$(GW) SMS_API_KEY=sandbox SMS_SECRET_KEY=sandbox \
	ZALO_ZNS_URL=$(GW) ZALO_OAUTH_URL=$(GW) ZALO_APP_ID=sandbox ZALO_SECRET_KEY=sandbox ZALO_REFRESH_TOKEN=sandbox-refresh-token
RUN_PROCS += gateways
endif

run: seed
	$(RUN_ENV) $(BIN)/honcho start -f Procfile $(RUN_PROCS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3 var/broker var/cache var/celerybeat-schedule*
