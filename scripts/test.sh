#!/usr/bin/env bash
# The whole test suite, as `make test` runs it. Installs what the tests need on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "== Installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# poppler-utils: upload tests check the rewritten PDFs, and permit tests the archival, signed permit
# PDF, with another implementation (pdfinfo, pdfdetach, pdfsig).
if ! command -v pdfinfo >/dev/null 2>&1 || ! command -v pdfdetach >/dev/null 2>&1 || ! command -v pdfsig >/dev/null 2>&1; then
  echo "== Installing Debian's poppler-utils"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi
# HarfBuzz's subsetter: WeasyPrint embeds the permit's fonts through it (C) instead of fontTools
# (pure Python, 80 % of a permit's rendering time); tests/permits/test_issuance.py checks it is found.
if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0; then
  echo "== Installing Debian's libharfbuzz-subset0"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libharfbuzz-subset0 >/dev/null
fi
# nginx: the example in deploy/nginx.conf is checked with `nginx -t` (tests/core/test_nginx_conf.py).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "== Installing Debian's nginx-light"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
fi
# npm packages (axe-core, oidc-provider, the scanner's libraries, lighthouse): `make install`
# runs `npm ci` whenever package-lock.json changed.

echo "== ruff"
$BIN/ruff check .
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
