#!/usr/bin/env bash
# Refresh the English catalogues: one per app that has its own `locale/`, the project one for the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
ignores=(--ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=node_modules)
for locale_dir in workinfrance/*/locale; do
  app_dir=$(dirname "$locale_dir")
  ignores+=(--ignore="$app_dir/*")
  (cd "$app_dir" && "$PY" "$OLDPWD/manage.py" makemessages -l en --no-location -v 0)
done
"$PY" manage.py makemessages -l en --no-location -v 0 "${ignores[@]}"
"$PY" manage.py compilemessages --ignore=.venv -v 0
# Untranslated or fuzzy entries fail the check in tests/core/test_translations.py.
