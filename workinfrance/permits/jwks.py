"""Public keys as a JWKS document (RFC 7517/7518): EC P-256, `kid` = base64url of the 8-byte COSE kid.

Pure (no Django): the offline verifier reads the published document with the same code.
"""

import base64
import binascii
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric import ec

from .seal import COORDINATE_LENGTH, KID_LENGTH, VerificationKey, kid_for


class JwksError(ValueError):
    """The document is not a usable JWKS of ES256 keys."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError) as error:
        raise JwksError("bad base64url") from error


def jwk_from_key(key: VerificationKey) -> dict:
    numbers = key.public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url_encode(numbers.x.to_bytes(COORDINATE_LENGTH, "big")),
        "y": b64url_encode(numbers.y.to_bytes(COORDINATE_LENGTH, "big")),
        "kid": b64url_encode(key.kid),
        "alg": key.alg,
        "use": "sig",
    }


def jwks_document(keys: Iterable[VerificationKey]) -> dict:
    return {"keys": [jwk_from_key(key) for key in keys]}


def key_from_jwk(jwk: dict) -> VerificationKey:
    """One ES256 key. The kid must be the one derived from the key: a JWKS cannot relabel keys."""
    if not isinstance(jwk, dict) or (jwk.get("kty"), jwk.get("crv"), jwk.get("alg")) != (
        "EC",
        "P-256",
        "ES256",
    ):
        raise JwksError("only EC P-256 keys for ES256 are accepted")
    if not all(isinstance(jwk.get(name), str) for name in ("x", "y", "kid")):
        raise JwksError("x, y and kid are required")
    x, y, kid = b64url_decode(jwk["x"]), b64url_decode(jwk["y"]), b64url_decode(jwk["kid"])
    if len(x) != COORDINATE_LENGTH or len(y) != COORDINATE_LENGTH or len(kid) != KID_LENGTH:
        raise JwksError("bad coordinate or kid length")
    try:
        public_key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    except ValueError as error:
        raise JwksError("point not on the curve") from error
    if kid_for(public_key) != kid:
        raise JwksError(f"kid {jwk['kid']} does not match its key")
    return VerificationKey(kid=kid, public_key=public_key, alg="ES256")


def keys_from_jwks(document: dict) -> dict[bytes, VerificationKey]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError("not a JWKS document")
    keys = {}
    for jwk in document["keys"]:
        key = key_from_jwk(jwk)
        keys[key.kid] = key
    return keys
