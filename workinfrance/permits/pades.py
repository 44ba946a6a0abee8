"""PAdES signature of the permit PDF (pyHanko), so the digital file is tamper-evident in any reader.

The certificate comes from the issuing key infrastructure: settings WIF_PADES_KEY_FILE,
WIF_PADES_CERT_FILE and WIF_PADES_CHAIN_FILES. In development (WIF_PADES_AUTO_CREATE) a
self-made CA and a signing certificate are created on first use under WIF_PADES_DIR (default:
the `pades` folder of WIF_SIGNING_KEY_DIR; docs/permits.md). Readers do not trust that CA, as expected.
"""

import datetime
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from .keys import _locked_dir, key_dir

if TYPE_CHECKING:  # pyHanko is imported where it signs or checks: ~45 MB no web page needs
    from pyhanko.sign import signers

logger = logging.getLogger(__name__)
SIGNATURE_FIELD = "SignatureWorkInFrance"
PADES_BYTES_RESERVED = 8192
DEV_CA_NAME = "Work in France – autorité de développement (non fiable)"
DEV_SIGNER_NAME = "Work in France – cachet de développement"

_signer_cache: "dict[tuple, signers.SimpleSigner]" = {}


def pades_dir() -> Path:
    return Path(settings.WIF_PADES_DIR or key_dir() / "pades")


def _paths() -> tuple[Path, Path, list[Path]]:
    directory = pades_dir()
    key = Path(settings.WIF_PADES_KEY_FILE or directory / "signer.key.pem")
    cert = Path(settings.WIF_PADES_CERT_FILE or directory / "signer.cert.pem")
    chain = [Path(p) for p in settings.WIF_PADES_CHAIN_FILES] or [directory / "ca.cert.pem"]
    return key, cert, chain


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Work in France (développement)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    path.write_bytes(data)
    path.chmod(mode)


def development_ca_create(directory: Path) -> None:
    """A CA (10 years) and a document-signing certificate (3 years) issued by it, ECDSA P-256."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEV_CA_NAME))
        .issuer_name(_name(DEV_CA_NAME))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(DEV_SIGNER_NAME))
        .issuer_name(ca_cert.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(directory / "ca.key.pem", _pem_key(ca_key), 0o600)
    _write(directory / "ca.cert.pem", ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(directory / "signer.key.pem", _pem_key(signer_key), 0o600)
    _write(directory / "signer.cert.pem", signer_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    logger.warning("Created a development PAdES CA under %s (not trusted by PDF readers)", directory)


def pades_signer() -> "signers.SimpleSigner":
    from pyhanko.sign import signers

    key, cert, chain = _paths()
    if not key.exists() and settings.WIF_PADES_AUTO_CREATE:
        with _locked_dir():
            if not key.exists():
                development_ca_create(pades_dir())
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in (key, cert, *chain))
    signer = _signer_cache.get(stamp)
    if signer is None:
        signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=[str(p) for p in chain])
        if signer is None:
            raise RuntimeError(f"cannot load the PAdES key {key} and certificate {cert}")
        _signer_cache.clear()
        _signer_cache[stamp] = signer
    return signer


def certificates_load(paths) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(Path(path).read_bytes()).public_bytes(serialization.Encoding.DER)
        )
        for path in paths
    ]


def trust_roots() -> list[asn1_x509.Certificate]:
    """The chain given to the signer: in development, the self-made CA to validate against."""
    return certificates_load(_paths()[2])


def pades_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """A PAdES B-B signature (ETSI.CAdES.detached, SHA-256) in an invisible field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = io.BytesIO()
    signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        ),
        signer=pades_signer(),
        output=output,
        # Room for the CMS container (ECDSA signature + certificate chain): skips pyHanko's dry run.
        bytes_reserved=PADES_BYTES_RESERVED,
    )
    return output.getvalue()


def pades_check(pdf: bytes, *, roots: list[asn1_x509.Certificate]) -> bool:
    """True only if the PDF holds our signature, intact, covering the whole file, under `roots`."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        status = validate_pdf_signature(
            signatures[0], ValidationContext(trust_roots=roots, allow_fetching=False)
        )
    except Exception:  # a damaged file fails the check, whatever the parser objects to
        logger.info("PAdES check: unreadable PDF", exc_info=True)
        return False
    return bool(
        status.intact
        and status.valid
        and status.trusted
        and status.coverage is not None
        and status.coverage.name == "ENTIRE_FILE"
    )
