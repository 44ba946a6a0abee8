#!/usr/bin/env bash
# Back up the service: the PostgreSQL database (pg_dump, custom format) and the media files
# (uploaded documents, issued permits) into one new folder under DEST; docs/operations.md.
#   DATABASE_URL=postgres://… MEDIA_ROOT=/srv/workinfrance/media scripts/backup.sh /srv/backups
# The database is dumped first, the files copied after: a file written in between is only an
# orphan in the copy (storage_check --fix removes it), never a row whose file is missing.
# Signing keys (WIF_SIGNING_KEY_DIR) are secrets kept apart: back them up offline, not here.
set -euo pipefail
DEST="${1:?usage: scripts/backup.sh DEST_DIR}"
: "${DATABASE_URL:?DATABASE_URL must point to the PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must be the media folder}"
case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) echo "backup: DATABASE_URL is not PostgreSQL" >&2; exit 2 ;; esac
[ -d "$MEDIA_ROOT" ] || { echo "backup: no media folder at $MEDIA_ROOT" >&2; exit 2; }

OUT="$DEST/workinfrance-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
umask 077  # personal data: readable by the backup's owner only
pg_dump --format=custom --no-owner --no-privileges --file="$OUT/database.dump" "$DATABASE_URL"
tar --create --file="$OUT/media.tar" --directory="$MEDIA_ROOT" .
(cd "$OUT" && sha256sum database.dump media.tar > SHA256SUMS)
echo "$OUT"
