# Two entry points: `make run` (service with demo data) and `make test` (the whole suite).
# Debian's own Python 3.11 when the machine has it (with venv): the interpreter a Debian server runs,
# built with profile-guided optimisation; a locally compiled one (pyenv's default build) runs the same
# pages 25-30 % slower (bench/http_pages.py). Else the first python3.11 on the PATH.
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip' 2>/dev/null && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and the permits' QR codes point at the address actually served (unless set).
RUN_ENV = WIF_PUBLIC_URL="$${WIF_PUBLIC_URL:-HTTP://$(HOST):$(PORT)}"

.PHONY: run test install lint messages worker clean oidc-provider bench prod-check

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Development set (production's plus the test tools), every package pinned with its hashes.
$(STAMP): requirements/dev.txt requirements/prod.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

# The scanner page's JavaScript libraries (pinned in package-lock.json, served by the service).
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm (Node 20) is required for the scanner page's libraries"; exit 1; }
	npm ci --no-audit --no-fund --silent

install: $(STAMP) node_modules/.package-lock.json

# Serve with demo data on http://$(HOST):$(PORT) (SQLite file under var/, tasks in-process); static files
# collected, compressed and fingerprinted, served by WhiteNoise as in production.
run: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py migrate --no-input -v 0
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input -v 0
	@echo "Service: http://$(HOST):$(PORT)/"
	$(RUN_ENV) $(PY) manage.py runserver --nostatic $(HOST):$(PORT)

# Ruff, migrations check, then pytest on SQLite and again on PostgreSQL when DATABASE_URL points to one
# (otherwise the PostgreSQL-only tests, on the machine's PostgreSQL).
test: install
	bash scripts/test.sh

# The production recipe for real: the Procfile's processes (gunicorn, Celery worker and beat) under honcho
# with config.settings.prod, on a fresh database of the machine's PostgreSQL and its Redis; checks
# /readyz, a task round trip and beat, then stops them and cleans up (scripts/prod_check.py).
# PROD_CHECK_ARGS, e.g. "--port 8340 --redis redis://127.0.0.1:6379/5".
prod-check: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(PY) scripts/prod_check.py $(PROD_CHECK_ARGS)

# Every benchmark at 1M dossiers on PostgreSQL, then one table (see bench/run_all.py; ~1 h on 2 cores).
# BENCH_ARGS, e.g. "--database wif_bench --port 8210 --skip-load".
bench: install
	bash scripts/debian_packages.sh bench
	$(PY) bench/run_all.py $(BENCH_ARGS)

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
