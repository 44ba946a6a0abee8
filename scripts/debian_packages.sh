#!/usr/bin/env bash
# Debian packages that the tests and benches need, installed on a fresh machine when missing.
#   bash scripts/debian_packages.sh [test|bench]
# (`make test` and `make bench` call it; nothing is assumed installed by hand.)
set -euo pipefail
purpose="${1:-test}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
updated=""

install() {  # install <package> <why>
  echo "== Installing Debian's $1 ($2)"
  if [ -z "$updated" ]; then $SUDO apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$1" >/dev/null
}

# HarfBuzz's subsetter: WeasyPrint embeds the permit's fonts through it (C) instead of fontTools
# (pure Python, about 90 % of a permit's rendering time: 1 s instead of 0.1 s). The permit tests
# check it is found (tests/permits/test_issuance.py), the permit bench measures with it.
if ! ldconfig -p 2>/dev/null | grep libharfbuzz-subset.so.0 >/dev/null; then  # not -q: under pipefail an early exit fails ldconfig
  install libharfbuzz-subset0 "permit fonts subset in C"
fi
[ "$purpose" = bench ] && exit 0

# Browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  install chromium "browser tests"
fi
# poppler-utils: upload tests check the rewritten PDFs, and permit tests the archival, signed permit
# PDF, with another implementation (pdfinfo, pdfdetach, pdfsig).
if ! command -v pdfinfo >/dev/null 2>&1 || ! command -v pdfdetach >/dev/null 2>&1 || ! command -v pdfsig >/dev/null 2>&1; then
  install poppler-utils "PDF checks by another implementation"
fi
# nginx: the example in deploy/nginx.conf is checked with `nginx -t` (tests/core/test_nginx_conf.py).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  install nginx-light "deploy/nginx.conf checked with nginx -t"
fi
