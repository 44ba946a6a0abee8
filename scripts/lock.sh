#!/usr/bin/env bash
# Re-locks the dependencies: requirements/*.in (what we ask for) -> requirements/*.txt (every package
# pinned, with its hashes). Run after editing a .in file; versions already locked stay unless the .in
# asks otherwise (add --upgrade-package NAME to move one). Production first: dev is constrained by it.
set -euo pipefail
cd "$(dirname "$0")/.."
COMPILE=(.venv/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe
         --no-emit-index-url --no-emit-find-links "$@")
"${COMPILE[@]}" -o requirements/prod.txt requirements/prod.in
"${COMPILE[@]}" -o requirements/dev.txt requirements/dev.in
