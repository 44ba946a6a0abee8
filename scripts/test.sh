#!/usr/bin/env bash
# The whole test suite, as `make test` runs it. Installs what the tests need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

bash scripts/debian_packages.sh test
# npm packages (axe-core, oidc-provider, the scanner's libraries, lighthouse): `make install`
# runs `npm ci` whenever package-lock.json changed.

echo "== ruff"
$BIN/ruff check .
$BIN/ruff format --check .
echo "== mypy"
$BIN/mypy
echo "== translations"
$BIN/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
echo "== makemigrations --check"
env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run -v 1

# Two processes (this machine has two cores), a file's tests kept together.
PARALLEL=(-n "${WIF_TEST_WORKERS:-2}" --dist loadfile)
PG_URL="${DATABASE_URL:-}"
echo "== pytest on SQLite"
env -u DATABASE_URL $BIN/pytest -m "not postgres and not e2e" -p no:cacheprovider "${PARALLEL[@]}" "$@"
# The browser journeys: their steps build on each other, and Playwright's event loop must not share
# a process with database tests. They start their own service on a fresh database, so they run once,
# alone: beside the database suites, a loaded machine made page screenshots time out.
echo "== browser tests (Chromium)"
env -u DATABASE_URL $BIN/pytest -m e2e -p no:cacheprovider "$@"
if [[ "$PG_URL" == postgres* ]]; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $BIN/pytest -m "not e2e" -p no:cacheprovider "${PARALLEL[@]}" "$@"
elif [ "${WIF_NO_POSTGRES:-}" = "1" ]; then
  echo "== SKIPPED: the PostgreSQL-only tests (row locks, full-text search): WIF_NO_POSTGRES=1"
else
  # Without DATABASE_URL, the PostgreSQL-only tests (row locks, search) still run, against the
  # machine's PostgreSQL: SQLite cannot show that a missing row lock loses a race.
  LOCAL_PG="${WIF_LOCAL_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/workinfrance_tests}"
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432: the row-lock tests need it." >&2
    echo "Start it, set DATABASE_URL, or set WIF_NO_POSTGRES=1 to skip them knowingly." >&2
    exit 1
  fi
  echo "== PostgreSQL-only tests on the machine's PostgreSQL ($LOCAL_PG)"
  DATABASE_URL="$LOCAL_PG" $BIN/pytest -m "postgres and not e2e" -p no:cacheprovider "${PARALLEL[@]}" "$@"
fi
