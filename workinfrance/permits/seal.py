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
algorithm, and a header naming another one is refused. One encoding per permit: every CBOR item
must be in RFC 8949 §4.2.1 core deterministic encoding (shortest heads, definite lengths, map
keys in the bytewise order of their encodings, no duplicates; this format has no floats or
simple values), checked on the bytes themselves, and the signature must be low-S (s ≤ n/2:
`n − s` would be a second valid signature of the same content). The signer emits exactly that.
Any bad input raises a `SealError` subclass.
"""

import base64
import datetime
import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn

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
# Order of the P-256 group: an ECDSA signature (r, s) has a twin (r, n − s); only s ≤ n/2 is valid here.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_HALF_ORDER = P256_ORDER // 2
MAX_CBOR_DEPTH = 4

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
# The claims' keys in the bytewise order of their encodings (RFC 8949 §4.2.1).
_CLAIM_KEY_ORDER = tuple(sorted(_CLAIM_KEYS, key=cbor2.dumps))

QR_PATH = "/V/"
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
MAX_SEAL_BYTES = 2048
MAX_QR_TEXT = 4296  # the most a QR code can hold in alphanumeric mode
BASE32_RE = re.compile(r"[A-Z2-7]+")
EPOCH = datetime.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
# The field types in the order a canonical map holds its keys (sorted by encoded bytes: the
# small non-negative integers 0..10 in numeric order), so one tuple comparison checks them all.
_FIELD_ORDER = tuple(sorted(FIELD_TYPES, key=cbor2.dumps))
_FIELD_TYPES_IN_ORDER = tuple(FIELD_TYPES[field] for field in _FIELD_ORDER)


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


class PermitClaims(NamedTuple):
    """The signed terms of a permit. Immutable; a named tuple because a seal check builds one per
    verification and a frozen dataclass costs four times as much to build (bench/permits_seal.py)."""

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
    # Whether this key can check a seal (a P-256 key declared ES256): decided once when the key is
    # loaded, not at every verification (the type checks cost a tenth of the signature check).
    is_es256: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        usable = (
            self.alg == "ES256"
            and isinstance(self.public_key, ec.EllipticCurvePublicKey)
            and isinstance(self.public_key.curve, ec.SECP256R1)
        )
        object.__setattr__(self, "is_es256", usable)


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


def _deterministic_order(value: object) -> object:
    """The value with every map's keys in the bytewise order of their encodings (RFC 8949 §4.2.1).

    cbor2 writes maps in the order given, always with the shortest heads and definite lengths."""
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda item: cbor2.dumps(item[0]))
        return {key: _deterministic_order(item) for key, item in items}
    if isinstance(value, list | tuple):
        return [_deterministic_order(item) for item in value]
    if isinstance(value, cbor2.CBORTag):
        return cbor2.CBORTag(value.tag, _deterministic_order(value.value))
    return value


def deterministic_dumps(value: object) -> bytes:
    return cbor2.dumps(_deterministic_order(value))


def _head(data: bytes, position: int) -> tuple[int, int, int]:
    """(major type, argument, next position) of the item starting at position; shortest form only."""
    if position >= len(data):
        raise MalformedSeal("truncated CBOR")
    initial = data[position]
    major, info = initial >> 5, initial & 0x1F
    if info < 24:
        return major, info, position + 1
    if info > 27:  # 28-30 reserved, 31 indefinite length
        raise MalformedSeal("indefinite length or reserved CBOR head")
    size = 1 << (info - 24)
    end = position + 1 + size
    if end > len(data):
        raise MalformedSeal("truncated CBOR")
    argument = int.from_bytes(data[position + 1 : end], "big")
    if argument < (24 if size == 1 else 1 << (4 * size)):
        raise MalformedSeal("CBOR head not in its shortest form")
    return major, argument, end


def _check_item(data: bytes, position: int, depth: int) -> int:
    """Walk one item, refusing anything but the core deterministic encoding; return its end."""
    if depth > MAX_CBOR_DEPTH:
        raise MalformedSeal("CBOR nested too deep")
    major, argument, position = _head(data, position)
    if major in (0, 1):  # unsigned and negative integers
        return position
    if major in (2, 3):  # byte and text strings
        end = position + argument
        if end > len(data):
            raise MalformedSeal("truncated CBOR")
        if major == 3:
            try:
                data[position:end].decode("utf-8")
            except UnicodeDecodeError as error:
                raise MalformedSeal("text is not UTF-8") from error
        return end
    if major in (4, 5):  # arrays and maps: each element takes at least one byte
        if argument > len(data) - position:
            raise MalformedSeal("truncated CBOR")
        previous_key = None
        for _ in range(argument):
            if major == 4:
                position = _check_item(data, position, depth + 1)
                continue
            key_start = position
            position = _check_item(data, position, depth + 1)
            key = data[key_start:position]
            if previous_key is not None and key <= previous_key:
                raise MalformedSeal("map keys not in deterministic order, or repeated")
            previous_key = key
            position = _check_item(data, position, depth + 1)
        return position
    if major == 6:  # tag
        return _check_item(data, position, depth + 1)
    raise MalformedSeal("floats and simple values have no place in a seal")


def deterministic_check(data: bytes) -> None:
    """Raise MalformedSeal unless data is one CBOR item in core deterministic encoding."""
    if _check_item(data, 0, 0) != len(data):
        raise MalformedSeal("bytes after the CBOR item")


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
    return deterministic_dumps(
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
    payload] in core deterministic CBOR, written directly (a test compares it with
    `deterministic_dumps`)."""
    return _SIG_STRUCTURE_PREFIX + _bstr_item(protected) + b"\x40" + _bstr_item(payload)


def sign(claims: PermitClaims, key: SigningKey) -> bytes:
    """The COSE_Sign1_Tagged bytes of the seal."""
    return sign_payload(claims_encode(claims), key)


def sign_payload(payload: bytes, key: SigningKey) -> bytes:
    """COSE_Sign1_Tagged over any canonical CBOR payload (the seal, the revocation list)."""
    protected = deterministic_dumps({HEADER_ALG: ALGORITHMS[key.alg], HEADER_KID: key.kid})
    der = key.private_key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    if s > P256_HALF_ORDER:
        s = P256_ORDER - s  # the low-S twin: the one encoding a verifier accepts
    signature = r.to_bytes(COORDINATE_LENGTH, "big") + s.to_bytes(COORDINATE_LENGTH, "big")
    return deterministic_dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _strict_loads(data: bytes) -> Any:
    """Decode CBOR that is in core deterministic encoding (checked on the bytes first), so no
    byte is free; the decoded value must also encode back to the same bytes."""
    deterministic_check(data)
    try:
        value = cbor2.loads(
            data, max_depth=MAX_CBOR_DEPTH + 1, allow_indefinite=False, allow_duplicate_keys=False
        )
        canonical = deterministic_dumps(value) == data
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
    return claims_decode(verify_payload(data, keys))


def verify_payload(data: bytes, keys: KeyLookup, *, max_bytes: int = MAX_SEAL_BYTES) -> bytes:
    """Check a COSE_Sign1 message's signature under the key its kid names; its payload bytes."""
    if not isinstance(data, bytes | bytearray) or len(data) > max_bytes:
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
    if not key.is_es256 or alg != ALGORITHMS["ES256"]:
        raise WrongAlgorithm(f"header alg {alg!r} does not match key {kid.hex()} ({key.alg})")
    if len(signature) != SIGNATURE_LENGTH:
        raise BadSignature("signature must be 64 bytes")
    r = int.from_bytes(signature[:COORDINATE_LENGTH], "big")
    s = int.from_bytes(signature[COORDINATE_LENGTH:], "big")
    if s > P256_HALF_ORDER:
        raise BadSignature("high-S signature: the twin of a valid one, never issued")
    try:
        key.public_key.verify(encode_dss_signature(r, s), _sig_structure(protected, payload), _ECDSA_SHA256)
    except (InvalidSignature, ValueError) as error:
        raise BadSignature(kid.hex()) from error
    return payload


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


def _not_deterministic(data: bytes) -> NoReturn:
    """Raise the precise reason the bytes are not in core deterministic encoding."""
    deterministic_check(data)
    raise MalformedSeal("map keys not in deterministic order, or not canonical CBOR")


def _claims_refused(claims: Any, payload: bytes) -> NoReturn:
    """Why decoded claims are not a permit's, for what the fast path of `claims_decode` refused."""
    if not (type(claims) is dict and claims.keys() == _CLAIM_KEYS):
        raise MalformedSeal("unexpected claims")
    fields = claims[PERMIT_CLAIM]
    if tuple(claims) != _CLAIM_KEY_ORDER or (
        type(fields) is dict and fields.keys() == FIELD_TYPES.keys() and tuple(fields) != _FIELD_ORDER
    ):
        _not_deterministic(payload)
    if type(fields) is not dict or fields.get(FIELD_VERSION) != PERMIT_CLAIM_VERSION:
        raise MalformedSeal("unknown permit claim version")
    raise MalformedSeal("bad permit claim fields")  # other keys, or not the exact types (bool is no int)


def claims_decode(payload: bytes) -> PermitClaims:
    """The claims of a payload in core deterministic encoding. Its schema is fixed, so the check
    costs one decode and one encode in C: maps decode to dicts in the order of the bytes, which
    must be the deterministic key order, and the decoded value must encode back to the same
    bytes (shortest heads, definite lengths; duplicates are refused by the decoder)."""
    try:
        claims = cbor2.loads(
            payload, max_depth=MAX_CBOR_DEPTH + 1, allow_indefinite=False, allow_duplicate_keys=False
        )
    except Exception as error:  # cbor2 raises many kinds on hostile input; all mean the same here
        raise MalformedSeal("not valid CBOR") from error
    # Exact types (CBOR maps decode to dicts): cheaper than the abstract Mapping. The common case
    # (keys in deterministic order, the known version, the field types) is one comparison each;
    # anything else goes through the checks that say what is wrong.
    fields = claims.get(PERMIT_CLAIM) if type(claims) is dict else None
    if not (
        type(fields) is dict
        and tuple(claims) == _CLAIM_KEY_ORDER
        and tuple(fields) == _FIELD_ORDER
        and fields[FIELD_VERSION] == PERMIT_CLAIM_VERSION
        and tuple(map(type, fields.values())) == _FIELD_TYPES_IN_ORDER
    ):
        _claims_refused(claims, payload)
    if cbor2.dumps(claims) != payload:
        _not_deterministic(payload)
    iss, exp, iat, cti = claims[CLAIM_ISS], claims[CLAIM_EXP], claims[CLAIM_IAT], claims[CLAIM_CTI]
    if not (type(iss) is str and type(exp) is int and type(iat) is int and isinstance(cti, bytes)):
        raise MalformedSeal("bad CWT claims")
    try:
        return PermitClaims(  # positional (in the order of its fields): a third cheaper than by name
            iss,
            iat,
            exp,
            uuid.UUID(bytes=cti),
            fields[FIELD_NUMBER],
            fields[FIELD_LAST_NAME],
            fields[FIELD_FIRST_NAME],
            datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_BIRTH_DATE]),
            fields[FIELD_EMPLOYER_NAME],
            fields[FIELD_EMPLOYER_SIRET],
            fields[FIELD_CATEGORY],
            Decimal(fields[FIELD_WEEKLY_HOURS_TENTHS]).scaleb(-1),
            datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_VALID_FROM]),
            datetime.date.fromordinal(_EPOCH_ORDINAL + fields[FIELD_VALID_UNTIL]),
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
