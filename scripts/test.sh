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
# poppler-utils: upload tests check the rewritten PDFs with another implementation (pdfinfo, pdfdetach).
if ! command -v pdfinfo >/dev/null 2>&1 || ! command -v pdfdetach >/dev/null 2>&1; then
  echo "== Installing Debian's poppler-utils"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi
# npm packages (axe-core, oidc-provider, ...), pinned in package.json and package-lock.json:
# installed again whenever the lock file changed since the last install.
NPM_STAMP=node_modules/.wif-lock.sha256
if [ -f package-lock.json ] && ! sha256sum --status -c "$NPM_STAMP" 2>/dev/null; then
  echo "== Installing the npm packages (package-lock.json)"
  npm ci --no-audit --no-fund --silent
  sha256sum package-lock.json > "$NPM_STAMP"
fi

echo "== ruff"
$BIN/ruff check .
echo "== translations"
$BIN/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
echo "== makemigrations --check"
env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run -v 1

# Two processes (this machine has two cores), a file's tests kept together.
PARALLEL=(-n "${WIF_TEST_WORKERS:-2}" --dist loadfile)
PG_URL="${DATABASE_URL:-}"
echo "== pytest on SQLite"
env -u DATABASE_URL $BIN/pytest -m "not postgres and not e2e" -p no:cacheprovider "${PARALLEL[@]}" "$@"
# The browser journey: its steps build on each other, and Playwright's event loop must not share
# a process with database tests. It starts its own service on a fresh database, so it runs once.
echo "== browser tests (Chromium)"
env -u DATABASE_URL $BIN/pytest -m e2e -p no:cacheprovider "$@"
if [[ "$PG_URL" == postgres* ]]; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL="$PG_URL" $BIN/pytest -m "not e2e" -p no:cacheprovider "${PARALLEL[@]}" "$@"
fi
