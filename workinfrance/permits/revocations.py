"""The signed revocation list (`/.well-known/revocations`): offline verifiers learn what was withdrawn.

Pure Python (no Django), like `seal.py`, whose COSE_Sign1 signing and strict checks it reuses:
one key infrastructure, one canonical encoding, the same refusals.

Format, version 1 — COSE_Sign1_Tagged, protected {1: -7, 4: kid}, payload = canonical CBOR map:
  1 iss (text), 6 iat = produced at, 4 exp = renew by (NumericDate, integer seconds),
  REVOKED_CLAIM: array of the revoked, unexpired permits' cti (16-byte UUIDs), strictly ascending.
The claim sets of a seal and of a list differ, so neither can pass for the other. A list past its
renew-by time is refused: an old list would hide recent revocations.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from . import seal

REVOKED_CLAIM = -65538  # private use, next to the seal's permit claim
CTI_LENGTH = 16
# About 240,000 revocations: far above any real list; bounds what a verifier decodes.
MAX_LIST_BYTES = 4 * 1024 * 1024
CLAIMS = {seal.CLAIM_ISS, seal.CLAIM_EXP, seal.CLAIM_IAT, REVOKED_CLAIM}


class StaleRevocationList(seal.SealError):
    """The list is past its renew-by time (or produced in the future): it cannot be relied on."""


@dataclass(frozen=True)
class RevocationList:
    issuer: str
    produced_at: int  # seconds since the epoch
    renew_by: int
    revoked: frozenset[uuid.UUID]

    def is_revoked(self, permit_id: uuid.UUID) -> bool:
        return permit_id in self.revoked


def revocation_list_encode(
    *, issuer: str, produced_at: int, renew_by: int, revoked: Iterable[uuid.UUID]
) -> bytes:
    ctis = sorted({permit_id.bytes for permit_id in revoked})
    return seal.deterministic_dumps(
        {
            seal.CLAIM_ISS: issuer,
            seal.CLAIM_EXP: renew_by,
            seal.CLAIM_IAT: produced_at,
            REVOKED_CLAIM: ctis,
        }
    )


def revocation_list_sign(
    *, issuer: str, produced_at: int, renew_by: int, revoked: Iterable[uuid.UUID], key: seal.SigningKey
) -> bytes:
    payload = revocation_list_encode(
        issuer=issuer, produced_at=produced_at, renew_by=renew_by, revoked=revoked
    )
    return seal.sign_payload(payload, key)


def revocation_list_verify(
    data: bytes, keys: seal.KeyLookup, *, now: int, max_skew: int = 300
) -> RevocationList:
    """The list, if signed under a published key, well formed and current at `now`; else SealError."""
    payload = seal.verify_payload(data, keys, max_bytes=MAX_LIST_BYTES)
    claims = seal._strict_loads(payload)
    if not (isinstance(claims, dict) and set(claims) == CLAIMS):
        raise seal.MalformedSeal("not a revocation list")
    iss, produced_at, renew_by, ctis = (
        claims[seal.CLAIM_ISS],
        claims[seal.CLAIM_IAT],
        claims[seal.CLAIM_EXP],
        claims[REVOKED_CLAIM],
    )
    if not (
        type(iss) is str and type(produced_at) is int and type(renew_by) is int and isinstance(ctis, list)
    ):
        raise seal.MalformedSeal("bad revocation list claims")
    if not all(isinstance(cti, bytes) and len(cti) == CTI_LENGTH for cti in ctis):
        raise seal.MalformedSeal("bad cti in the revocation list")
    if any(a >= b for a, b in zip(ctis, ctis[1:], strict=False)):
        raise seal.MalformedSeal("revocation list not in strictly ascending order")
    if now >= renew_by:
        raise StaleRevocationList(f"renew-by time {renew_by} passed")
    if produced_at > now + max_skew:
        raise StaleRevocationList(f"produced in the future ({produced_at})")
    return RevocationList(
        issuer=iss,
        produced_at=produced_at,
        renew_by=renew_by,
        revoked=frozenset(uuid.UUID(bytes=cti) for cti in ctis),
    )
