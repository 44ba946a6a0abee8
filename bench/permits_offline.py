"""What the offline verifier costs: the signed revocation list at 10,000 revocations, and the scanner's assets.

python bench/permits_offline.py [revocations]

Prints the list's size (raw and gzip: the ctis are random, so compression gains little), the time to
sign and to verify it in Python, and the size of every file the scanner page and its service worker
keep, raw and compressed as whitenoise serves them (gzip, Brotli), with the load average beside.
"""

import gzip
import os
import sys
import time
import uuid
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402

from workinfrance.permits import revocations, scanner_assets, seal  # noqa: E402


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def revocation_list(count: int) -> None:
    key = seal.signing_key_generate()
    keys = {key.kid: seal.VerificationKey(kid=key.kid, public_key=key.private_key.public_key())}
    revoked = [uuid.uuid4() for _ in range(count)]
    now = int(time.time())
    started = time.perf_counter()
    data = revocations.revocation_list_sign(
        issuer="FR-WIF", produced_at=now, renew_by=now + 172800, revoked=revoked, key=key
    )
    signed = time.perf_counter() - started
    started = time.perf_counter()
    listed = revocations.revocation_list_verify(data, keys, now=now)
    verified = time.perf_counter() - started
    assert len(listed.revoked) == count
    print(f"revocation list, {count:,} revoked permits ({load()})")
    print(
        f"  size: {len(data):,} bytes ({len(data) / count:.1f} per revocation); gzip {len(gzip.compress(data)):,}"
    )
    print(f"  build + sign: {signed * 1000:.1f} ms; verify + decode: {verified * 1000:.1f} ms (Python)")


def assets() -> None:
    print(f"scanner assets kept by the service worker ({load()})")
    rows = []
    for path in sorted({*scanner_assets.OWN_FILES, *scanner_assets.VENDOR_FILES}):
        data = Path(finders.find(path)).read_bytes()
        rows.append((path, len(data), len(gzip.compress(data, 9)), len(brotli.compress(data))))
    for path, raw, gz, br in rows:
        print(f"  {path:<45} {raw:>10,} {gz:>10,} {br:>10,}")
    lazy = [row for row in rows if row[0] in scanner_assets.LAZY_FILES]
    first = [
        row
        for row in rows
        if row[0] not in scanner_assets.LAZY_FILES and not row[0].startswith("vendor/pdfjs")
    ]
    for label, chosen in (("all", rows), ("without pdf.js (loaded only for a PDF)", first), ("pdf.js", lazy)):
        print(
            f"  total {label:<39} {sum(r[1] for r in chosen):>10,} {sum(r[2] for r in chosen):>10,}"
            f" {sum(r[3] for r in chosen):>10,}  (bytes: raw, gzip, brotli)"
        )


if __name__ == "__main__":
    revocation_list(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    assets()
