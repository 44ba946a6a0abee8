# Two entry points: `make run` (service with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages worker clean oidc-provider

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Serve with demo data on http://$(HOST):$(PORT) (SQLite file under var/, tasks in-process).
run: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo "Service: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Ruff, migrations check, then pytest on SQLite and again on PostgreSQL when DATABASE_URL points to one.
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	bash scripts/messages.sh

worker: install
	$(BIN)/celery -A config worker -l info

# The local FranceConnect (port 8121) and ProConnect (port 8122) for manual trials; README.md says
# which variables point `make run` at them. Development only.
OIDC_FC_PORT ?= 8121
OIDC_PC_PORT ?= 8122
oidc-provider:
	@[ -f node_modules/oidc-provider/package.json ] || npm ci --no-audit --no-fund --silent
	node scripts/oidc/provider.mjs --fc-port $(OIDC_FC_PORT) --pc-port $(OIDC_PC_PORT) --rp-origin http://$(HOST):$(PORT)

clean:
	rm -rf $(VENV) var
