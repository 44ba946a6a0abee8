# Two entry points: `make run` (service with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages worker clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Serve with demo data on http://$(HOST):$(PORT) (SQLite file under var/, tasks in-process); static files
# collected, compressed and fingerprinted, served by WhiteNoise as in production.
run: install
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input -v 0
	@echo "Service: http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver --nostatic $(HOST):$(PORT)

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

clean:
	rm -rf $(VENV) var
