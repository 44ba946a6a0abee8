"""Command-line verifier: a permit PDF, a photo or scan of it, or the QR text itself."""

import json
import sys
import time
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from workinfrance.permits import seal
from workinfrance.permits.jwks import JwksError, keys_from_jwks
from workinfrance.permits.keys import verification_keys
from workinfrance.permits.models import Permit
from workinfrance.permits.revocations import MAX_LIST_BYTES, RevocationList, revocation_list_verify
from workinfrance.permits.selectors import Verdict, permit_verdict

EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.NOT_GENUINE: 1,
    Verdict.EXPIRED: 2,
    Verdict.REVOKED: 3,
    Verdict.NOT_YET_IN_FORCE: 5,
}
EXIT_UNREADABLE = 4
JWKS_PATH = "/.well-known/jwks.json"
REVOCATIONS_PATH = "/.well-known/revocations"
RENDER_SCALE = 3  # 216 dpi: a 38 mm code of version 13-14 gets about 4 pixels per module


def qr_texts_from_image(image) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def qr_texts_from_pdf(path: Path) -> list[str]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            texts += qr_texts_from_image(page.render(scale=RENDER_SCALE).to_pil())
        return texts
    finally:
        document.close()


def qr_text_of(argument: str) -> str:
    path = Path(argument)
    if len(argument) < 1024 and path.is_file():
        if path.read_bytes()[:5] == b"%PDF-":
            texts = qr_texts_from_pdf(path)
        else:
            from PIL import Image

            with Image.open(path) as image:
                texts = qr_texts_from_image(image.convert("RGB"))
        if not texts:
            raise CommandError(f"No QR code found in {path}", returncode=EXIT_UNREADABLE)
        return texts[0]
    return argument


def _read(source: str) -> bytes:
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=10) as response:  # noqa: S310 (scheme checked)
            return response.read(MAX_LIST_BYTES + 1)
    return Path(source).read_bytes()


def jwks_load(source: str) -> dict:
    try:
        return keys_from_jwks(json.loads(_read(source)))
    except (OSError, ValueError, JwksError) as error:
        raise CommandError(f"Cannot use the JWKS {source}: {error}", returncode=EXIT_UNREADABLE) from error


def revocations_source(*, revocations: str | None, jwks: str) -> str | None:
    """The list given, else the one published next to a JWKS fetched from a service."""
    if revocations:
        return revocations
    if jwks.startswith(("https://", "http://")) and jwks.endswith(JWKS_PATH):
        return jwks[: -len(JWKS_PATH)] + REVOCATIONS_PATH
    return None


def revocations_load(source: str, keys) -> RevocationList:
    """A signed list under the same keys, current now; anything else stops the verification: a
    list that cannot be trusted must not make a revoked permit look valid."""
    try:
        return revocation_list_verify(_read(source), keys, now=int(time.time()))
    except (OSError, ValueError, seal.SealError) as error:
        raise CommandError(
            f"Cannot use the revocation list {source}: {type(error).__name__}: {error}",
            returncode=EXIT_UNREADABLE,
        ) from error


def offline_verdict(claims: seal.PermitClaims, revoked: RevocationList | None) -> Verdict:
    """As the server decides (selectors.PermitState.verdict), from the signed claims and the list."""
    if revoked is not None and revoked.is_revoked(claims.permit_id):
        return Verdict.REVOKED
    if claims.is_expired(int(time.time())):
        return Verdict.EXPIRED
    if timezone.localdate() < claims.valid_from:
        return Verdict.NOT_YET_IN_FORCE
    return Verdict.VALID


class Command(BaseCommand):
    help = (
        "Verify a permit: PDF, image or QR text. Exit status 0 only for a genuine and valid permit "
        "(1 not genuine, 2 expired, 3 revoked, 4 unreadable input or unusable key or revocation list, "
        "5 not yet in force). With --offline, the signature is checked under the keys of --jwks, the "
        "dates, and the revocation status in the signed list of --revocations (by default the one "
        "published next to a --jwks URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_STRING")
        parser.add_argument(
            "--jwks", metavar="FILE_OR_URL", help="public keys (default: this server's keyring)"
        )
        parser.add_argument(
            "--revocations",
            metavar="FILE_OR_URL",
            help="signed revocation list (default with a --jwks URL: the service's /.well-known/revocations)",
        )
        parser.add_argument(
            "--offline", action="store_true", help="use only --jwks and --revocations; no database"
        )

    def handle(self, *args, source, jwks, offline, revocations, **options):
        if offline and not jwks:
            raise CommandError(
                "--offline needs --jwks (the published public keys)", returncode=EXIT_UNREADABLE
            )
        text = qr_text_of(source)
        keys = jwks_load(jwks) if jwks else verification_keys()
        try:
            claims = seal.verify_qr_text(text, keys)
        except seal.SealError as error:
            self._verdict(Verdict.NOT_GENUINE, f"{type(error).__name__}: {error}")
            sys.exit(EXIT_CODES[Verdict.NOT_GENUINE])
        if offline:
            list_source = revocations_source(revocations=revocations, jwks=jwks)
            revoked = revocations_load(list_source, keys) if list_source else None
            verdict = offline_verdict(claims, revoked)
            note = (
                f"signature checked offline; revocation list produced at {revoked.produced_at} (epoch seconds)"
                if revoked
                else "signature checked offline; revocation status not checked (no --revocations)"
            )
        else:
            permit = Permit.objects.filter(uuid=claims.permit_id, number=claims.number).first()
            verdict = permit_verdict(permit) if permit else Verdict.NOT_GENUINE
            note = (
                f"revoked at {permit.revoked_at:%Y-%m-%d %H:%M %Z}"
                if permit and permit.is_revoked
                else ("status checked in the database" if permit else "genuine signature, but unknown permit")
            )
            if permit and permit.purged_at:
                note += "; its personal data were erased after the retention period"
        self._verdict(verdict, note)
        self._claims(claims)
        if verdict != Verdict.VALID:
            sys.exit(EXIT_CODES[verdict])

    def _verdict(self, verdict: Verdict, note: str) -> None:
        labels = []
        for language in ("fr", "en"):
            with translation.override(language):
                labels.append(str(verdict.label))
        style = self.style.SUCCESS if verdict == Verdict.VALID else self.style.ERROR
        self.stdout.write(style(f"{verdict.value.upper()}: {labels[0]} / {labels[1]}"))
        self.stdout.write(f"  ({note})")

    def _claims(self, claims: seal.PermitClaims) -> None:
        rows = [
            ("number", claims.number),
            ("last name", claims.last_name),
            ("first name(s)", claims.first_name),
            ("birth date", claims.birth_date.isoformat()),
            ("employer", f"{claims.employer_name} (SIRET {claims.employer_siret})"),
            ("category", claims.category),
            ("weekly hours", str(claims.weekly_hours)),
            ("valid", f"{claims.valid_from.isoformat()} to {claims.valid_until.isoformat()} included"),
            ("issuer", claims.issuer),
        ]
        for label, value in rows:
            self.stdout.write(f"  {label:<14} {value}")
