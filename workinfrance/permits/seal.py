"""The permit's seal: a CWT signed as COSE_Sign1 with ES256, carried in a QR code (DESIGN §4).

Pure Python (cbor2 + cryptography), no Django, so an offline verifier can reuse it as is.

Format, version 1:
- COSE_Sign1_Tagged (RFC 9052): tag 18, [protected, unprotected, payload, signature];
  protected = bstr .cbor {1 (alg): -7 (ES256), 4 (kid): 8 bytes}; unprotected = {} ;
  signature = raw r || s, 64 bytes.
- payload = CWT claims (RFC 8392): 1 iss (text), 4 exp, 6 iat (NumericDate, integer seconds),
  7 cti (16-byte permit UUID), and the private claim PERMIT_CLAIM, a map with small integer keys
  (FIELD_*), FIELD_VERSION first. Dates are integers: days since 1970-01-01.
- QR text: `<SCHEME>://<HOST>/V/<Base32 of the COSE bytes, upper case, no padding>`, all in the
  QR alphanumeric set so the code is one alphanumeric segment.

Verification never trusts the header to choose the algorithm: the key found by kid carries its
algorithm, and a header naming another one is refused. Every encoding is checked canonical, so
each single changed byte or character is rejected. Any bad input raises a `SealError` subclass.
"""

import base64
import datetime
import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALGORITHMS = {"ES256": -7}  # name -> COSE algorithm identifier
KID_LENGTH = 8
SIGNATURE_LENGTH = 64
COORDINATE_LENGTH = 32

CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI = 1, 4, 6, 7
PERMIT_CLAIM = -65537  # private use (RFC 8392 §9.1: integers below -65536)
PERMIT_CLAIM_VERSION = 1
(
    FIELD_VERSION,
    FIELD_NUMBER,
    FIELD_LAST_NAME,
    FIELD_FIRST_NAME,
    FIELD_BIRTH_DATE,
    FIELD_EMPLOYER_NAME,
    FIELD_EMPLOYER_SIRET,
    FIELD_CATEGORY,
    FIELD_WEEKLY_HOURS_TENTHS,
    FIELD_VALID_FROM,
    FIELD_VALID_UNTIL,
) = range(11)
FIELD_TYPES = {
    FIELD_VERSION: int,
    FIELD_NUMBER: str,
    FIELD_LAST_NAME: str,
    FIELD_FIRST_NAME: str,
    FIELD_BIRTH_DATE: int,
    FIELD_EMPLOYER_NAME: str,
    FIELD_EMPLOYER_SIRET: str,
    FIELD_CATEGORY: str,
    FIELD_WEEKLY_HOURS_TENTHS: int,
    FIELD_VALID_FROM: int,
    FIELD_VALID_UNTIL: int,
}

_CLAIM_KEYS = {CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI, PERMIT_CLAIM}

QR_PATH = "/V/"
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
MAX_SEAL_BYTES = 2048
MAX_QR_TEXT = 4296  # the most a QR code can hold in alphanumeric mode
BASE32_RE = re.compile(r"[A-Z2-7]+")
EPOCH = datetime.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
# The field types in the order a canonical map holds its keys (sorted by encoded bytes: the
# small non-negative integers 0..10 in numeric order), so one tuple comparison checks them all.
_FIELD_TYPES_IN_ORDER = {tuple(FIELD_TYPES): tuple(FIELD_TYPES.values())}


class SealError(Exception):
    """The seal cannot be trusted. Subclasses say why."""


class MalformedSeal(SealError):
    """Not a seal of this format (bad encoding, structure, header or claims)."""


class UnknownKey(SealError):
    """The seal names a key (kid) that is not among the published keys."""


class WrongAlgorithm(SealError):
    """The header names an algorithm other than the one bound to the key."""


class BadSignature(SealError):
    """The signature does not match the content under the named key: altered or forged."""


@dataclass(frozen=True)
class PermitClaims:
    issuer: str
    issued_at: int  # seconds since the epoch
    expires_at: int  # seconds since the epoch: the end of the validity
    permit_id: uuid.UUID
    number: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    employer_name: str
    employer_siret: str
    category: str
    weekly_hours: Decimal  # one decimal place
    valid_from: datetime.date
    valid_until: datetime.date

    def is_expired(self, now: int) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True)
class SigningKey:
    kid: bytes
    private_key: ec.EllipticCurvePrivateKey
    alg: str = "ES256"


@dataclass(frozen=True)
class VerificationKey:
    kid: bytes
    public_key: ec.EllipticCurvePublicKey
    alg: str = "ES256"


KeyLookup = Callable[[bytes], VerificationKey | None] | Mapping[bytes, VerificationKey]


def kid_for(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """First 8 bytes of the SHA-256 of the key's SubjectPublicKeyInfo (as the EU DCC does)."""
    spki = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).digest()[:KID_LENGTH]


def signing_key_generate() -> SigningKey:
    private_key = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(kid=kid_for(private_key.public_key()), private_key=private_key)


def _days(day: datetime.date) -> int:
    return (day - EPOCH).days


def claims_encode(claims: PermitClaims) -> bytes:
    hours_tenths = claims.weekly_hours * 10
    if hours_tenths != hours_tenths.to_integral_value():
        raise ValueError("weekly hours must have at most one decimal place")
    fields = {
        FIELD_VERSION: PERMIT_CLAIM_VERSION,
        FIELD_NUMBER: claims.number,
        FIELD_LAST_NAME: claims.last_name,
        FIELD_FIRST_NAME: claims.first_name,
        FIELD_BIRTH_DATE: _days(claims.birth_date),
        FIELD_EMPLOYER_NAME: claims.employer_name,
        FIELD_EMPLOYER_SIRET: claims.employer_siret,
        FIELD_CATEGORY: claims.category,
        FIELD_WEEKLY_HOURS_TENTHS: int(hours_tenths),
        FIELD_VALID_FROM: _days(claims.valid_from),
        FIELD_VALID_UNTIL: _days(claims.valid_until),
    }
    return cbor2.dumps(
        {
            CLAIM_ISS: claims.issuer,
            CLAIM_EXP: claims.expires_at,
            CLAIM_IAT: claims.issued_at,
            CLAIM_CTI: claims.permit_id.bytes,
            PERMIT_CLAIM: fields,
        }
    )


def _bstr_item(data: bytes) -> bytes:
    """`data` as a CBOR byte string, length in its shortest form (what cbor2.dumps writes)."""
    length = len(data)
    if length < 24:
        head = bytes([0x40 | length])
    elif length < 0x100:
        head = bytes([0x58, length])
    elif length < 0x10000:
        head = b"\x59" + length.to_bytes(2, "big")
    else:
        head = b"\x5a" + length.to_bytes(4, "big")
    return head + data


# ["Signature1", ..., ..., ...] up to its first byte string: array of 4, the context text.
_SIG_STRUCTURE_PREFIX = b"\x84\x6aSignature1"


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    """RFC 9052 §4.4: what is actually signed, ["Signature1", protected, external_aad (empty),
    payload] in canonical CBOR, written directly (a test compares it with cbor2's encoding)."""
    return _SIG_STRUCTURE_PREFIX + _bstr_item(protected) + b"\x40" + _bstr_item(payload)


def sign(claims: PermitClaims, key: SigningKey) -> bytes:
    """The COSE_Sign1_Tagged bytes of the seal."""
    protected = cbor2.dumps({HEADER_ALG: ALGORITHMS[key.alg], HEADER_KID: key.kid})
    payload = claims_encode(claims)
    der = key.private_key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(COORDINATE_LENGTH, "big") + s.to_bytes(COORDINATE_LENGTH, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _strict_loads(data: bytes):
    """Decode CBOR and insist on the one canonical encoding of the result, so no byte is free."""
    try:
        value = cbor2.loads(data, max_depth=4, allow_indefinite=False, allow_duplicate_keys=False)
        canonical = cbor2.dumps(value) == data
    except Exception as error:  # cbor2 raises many kinds on hostile input; all mean the same here
        raise MalformedSeal("not valid CBOR") from error
    if not canonical:
        raise MalformedSeal("not canonical CBOR")
    return value


def _lookup(keys: KeyLookup, kid: bytes) -> VerificationKey | None:
    return keys.get(kid) if type(keys) is dict or isinstance(keys, Mapping) else keys(kid)


# The one canonical encoding of an ES256 protected header, up to its 8-byte kid.
_ES256_HEADER_PREFIX = bytes([0xA2, HEADER_ALG, 0x26, HEADER_KID, 0x40 | KID_LENGTH])
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def _bstr(data: bytes, at: int) -> tuple[bytes, int]:
    """The byte string at `at` in its shortest length encoding, and the offset after it."""
    head = data[at]
    if head >> 5 != 2:
        raise ValueError("not a byte string")
    info, at = head & 0x1F, at + 1
    if info < 24:
        length = info
    elif info == 24 and data[at] >= 24:
        length, at = data[at], at + 1
    elif info == 25 and data[at] and int.from_bytes(data[at : at + 2], "big") > 0xFF:
        length, at = int.from_bytes(data[at : at + 2], "big"), at + 2
    else:
        raise ValueError("not a short canonical byte string")
    if at + length > len(data):
        raise ValueError("truncated")
    return data[at : at + length], at + length


def _canonical_sign1(data: bytes) -> tuple[bytes, bytes, bytes] | None:
    """(protected, payload, signature) of a canonical COSE_Sign1_Tagged with an empty unprotected
    map, read by hand: the common case costs no CBOR decode and re-encode. None for anything
    else, which the general (strict, slower) path then examines."""
    try:
        if data[:2] != b"\xd2\x84":  # tag 18, array of 4
            return None
        protected, at = _bstr(data, 2)
        if data[at] != 0xA0:  # {}
            return None
        payload, at = _bstr(data, at + 1)
        signature, at = _bstr(data, at)
    except (ValueError, IndexError):
        return None
    return (protected, payload, signature) if at == len(data) else None


def verify(data: bytes, keys: KeyLookup) -> PermitClaims:
    """Check a seal's signature under the key its kid names and return its claims."""
    if not isinstance(data, bytes | bytearray) or len(data) > MAX_SEAL_BYTES:
        raise MalformedSeal("not a seal")
    parts = _canonical_sign1(bytes(data))
    if parts is None:
        parts = _general_sign1(bytes(data))
    protected, payload, signature = parts
    if len(protected) == len(_ES256_HEADER_PREFIX) + KID_LENGTH and protected.startswith(
        _ES256_HEADER_PREFIX
    ):
        alg, kid = ALGORITHMS["ES256"], protected[len(_ES256_HEADER_PREFIX) :]
    else:
        header = _strict_loads(protected)
        if not (isinstance(header, Mapping) and set(header) == {HEADER_ALG, HEADER_KID}):
            raise MalformedSeal("protected header must hold exactly alg and kid")
        alg, kid = header[HEADER_ALG], header[HEADER_KID]
    if not (isinstance(kid, bytes) and len(kid) == KID_LENGTH and type(alg) is int):
        raise MalformedSeal("bad kid or alg")
    key = _lookup(keys, kid)
    if key is None:
        raise UnknownKey(kid.hex())
    if (
        key.alg not in ALGORITHMS
        or alg != ALGORITHMS[key.alg]
        or not isinstance(key.public_key, ec.EllipticCurvePublicKey)
        or not isinstance(key.public_key.curve, ec.SECP256R1)
    ):
        raise WrongAlgorithm(f"header alg {alg!r} does not match key {kid.hex()} ({key.alg})")
    if len(signature) != SIGNATURE_LENGTH:
        raise BadSignature("signature must be 64 bytes")
    r = int.from_bytes(signature[:COORDINATE_LENGTH], "big")
    s = int.from_bytes(signature[COORDINATE_LENGTH:], "big")
    try:
        key.public_key.verify(encode_dss_signature(r, s), _sig_structure(protected, payload), _ECDSA_SHA256)
    except (InvalidSignature, ValueError) as error:
        raise BadSignature(kid.hex()) from error
    return claims_decode(payload)


def _general_sign1(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(protected, payload, signature) of any CBOR input, or the reason it is not a seal."""
    message = _strict_loads(data)
    if not (
        isinstance(message, cbor2.CBORTag)
        and message.tag == COSE_SIGN1_TAG
        and isinstance(message.value, list | tuple)
        and len(message.value) == 4
    ):
        raise MalformedSeal("not a COSE_Sign1 message")
    protected, unprotected, payload, signature = message.value
    if not (
        isinstance(protected, bytes)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
        and isinstance(unprotected, Mapping)
        and not unprotected
    ):
        raise MalformedSeal("bad COSE_Sign1 structure")
    return protected, payload, signature


def claims_decode(payload: bytes) -> PermitClaims:
    claims = _strict_loads(payload)
    # CBOR maps decode to dicts: exact type checks, cheaper than the abstract Mapping.
    if not (type(claims) is dict and claims.keys() == _CLAIM_KEYS):
        raise MalformedSeal("unexpected claims")
    fields = claims[PERMIT_CLAIM]
    if type(fields) is not dict or fields.get(FIELD_VERSION) != PERMIT_CLAIM_VERSION:
        raise MalformedSeal("unknown permit claim version")
    if fields.keys() != FIELD_TYPES.keys() or tuple(map(type, fields.values())) != _FIELD_TYPES_IN_ORDER.get(
        tuple(fields)
    ):
        raise MalformedSeal("bad permit claim fields")
    iss, exp, iat, cti = (claims[c] for c in (CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI))
    if not (type(iss) is str and type(exp) is int and type(iat) is int and isinstance(cti, bytes)):
        raise MalformedSeal("bad CWT claims")
    try:
        return PermitClaims(
            issuer=iss,
            issued_at=iat,
            expires_at=exp,
            permit_id=uuid.UUID(bytes=cti),
            number=fields[FIELD_NUMBER],
            last_name=fields[FIELD_LAST_NAME],
            first_name=fields[FIELD_FIRST_NAME],
            birth_date=datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_BIRTH_DATE]),
            employer_name=fields[FIELD_EMPLOYER_NAME],
            employer_siret=fields[FIELD_EMPLOYER_SIRET],
            category=fields[FIELD_CATEGORY],
            weekly_hours=Decimal(fields[FIELD_WEEKLY_HOURS_TENTHS]).scaleb(-1),
            valid_from=datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_VALID_FROM]),
            valid_until=datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_VALID_UNTIL]),
        )
    except (ValueError, OverflowError) as error:
        raise MalformedSeal("claim out of range") from error


def base32_encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


# Base32 digits -> the digits Python's int(..., 32) reads: decoding runs in C, not byte by byte.
_TO_INT_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv")


def base32_decode(text: str) -> bytes:
    """Strict: upper case, no padding, and the unused low bits of the last character must be zero."""
    if not BASE32_RE.fullmatch(text) or len(text) % 8 in (1, 3, 6):
        raise MalformedSeal("not Base32")
    length = len(text) * 5 // 8
    unused_bits = len(text) * 5 - length * 8
    value = int(text.translate(_TO_INT_DIGITS), 32)
    if value & ((1 << unused_bits) - 1):
        raise MalformedSeal("not canonical Base32")
    return (value >> unused_bits).to_bytes(length, "big")


def qr_text(data: bytes, *, base_url: str) -> str:
    """`<SCHEME>://<HOST>/V/<BASE32>`, entirely in the QR alphanumeric character set."""
    text = base_url.rstrip("/").upper() + QR_PATH + base32_encode(data)
    if not set(text) <= QR_ALPHANUMERIC:
        raise ValueError("the public address has characters outside the QR alphanumeric set")
    return text


def seal_from_qr_text(text: str) -> bytes:
    """The COSE bytes from a QR text (full address or the Base32 part alone)."""
    if not isinstance(text, str) or len(text) > MAX_QR_TEXT:
        raise MalformedSeal("not a seal")
    text = text.strip()
    if QR_PATH in text:
        text = text.rsplit(QR_PATH, 1)[1]
    return base32_decode(text)


def verify_qr_text(text: str, keys: KeyLookup) -> PermitClaims:
    return verify(seal_from_qr_text(text), keys)
