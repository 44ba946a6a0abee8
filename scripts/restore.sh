#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into an EMPTY database and an empty media folder, then check
# that rows, files and statistics agree (manage.py stats_check, storage_check); docs/operations.md.
#   DATABASE_URL=postgres://…/new_db MEDIA_ROOT=/srv/workinfrance/media scripts/restore.sh BACKUP_DIR
# The same settings as the service (DJANGO_SETTINGS_MODULE and its variables) must be set for the checks.
set -euo pipefail
SRC="${1:?usage: scripts/restore.sh BACKUP_DIR}"
: "${DATABASE_URL:?DATABASE_URL must point to an empty PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must be an empty or missing folder}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || { echo "restore: the backup is damaged" >&2; exit 1; }
tables="$(psql "$DATABASE_URL" -Atc "select count(*) from pg_tables where schemaname = 'public'")"
[ "$tables" = "0" ] || { echo "restore: the database is not empty ($tables tables): refusing" >&2; exit 1; }
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore: $MEDIA_ROOT is not empty: refusing" >&2; exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$SRC/database.dump"
mkdir -p "$MEDIA_ROOT"
tar --extract --file="$SRC/media.tar" --directory="$MEDIA_ROOT"
cd "$ROOT"
"$PYTHON" manage.py migrate --no-input -v 0   # a backup of an older release gets the newer migrations
# Files written after the dump have no row in it: removed; moves left unfinished are finished.
"$PYTHON" manage.py storage_check --fix --orphan-min-age-hours 0 --temporary-min-age-seconds 0 >/dev/null || true
"$PYTHON" manage.py stats_check
"$PYTHON" manage.py storage_check
echo "restore: done, statistics and files check out"
