"""Permits for the scanner journey, made inside the service's own process (`LiveService.python`).

Each function prints one JSON document on standard output."""

import json
import time


def _permit(*, start_in_days: int, end_in_days: int):
    from workinfrance.accounts.models import User

    from tests.factories import UserFactory
    from tests.permits.helpers import permit_with_validity

    agent = User.objects.get(email="agent.paris@workinfrance.test")
    return permit_with_validity(UserFactory(), agent, start_in_days=start_in_days, end_in_days=end_in_days)


def _forged_and_altered(permit) -> tuple[str, str]:
    """The same claims signed with a key the service never published, and the genuine seal with one
    changed name under its original signature."""
    import cbor2
    from django.conf import settings

    from workinfrance.permits import seal, services

    stranger = seal.signing_key_generate()
    forged = seal.sign(services.permit_claims(permit), stranger)
    message = cbor2.loads(seal.base32_decode(permit.seal))
    claims = cbor2.loads(message.value[2])
    claims[seal.PERMIT_CLAIM][seal.FIELD_LAST_NAME] = "Martin"
    altered = cbor2.dumps(cbor2.CBORTag(18, [message.value[0], {}, cbor2.dumps(claims), message.value[3]]))
    return (
        seal.qr_text(forged, base_url=settings.WIF_PUBLIC_URL),
        seal.qr_text(altered, base_url=settings.WIF_PUBLIC_URL),
    )


def seed() -> None:
    from django.contrib.auth import get_user_model

    from workinfrance.permits import services

    supervisor = get_user_model().objects.get(email="responsable.paris@workinfrance.test")
    # Only the valid permit's PDF is needed: skip the others' (seconds each on a busy machine).
    services.permit_pdf_schedule = lambda **kwargs: None
    valid = _permit(start_in_days=0, end_in_days=200)
    expired = _permit(start_in_days=-300, end_in_days=-2)
    revoked = _permit(start_in_days=0, end_in_days=200)
    later_revoked = _permit(start_in_days=0, end_in_days=200)
    services.permit_revoke_by_supervisor(permit=revoked, actor=supervisor, reason="Fraude au contrat")
    forged, altered = _forged_and_altered(valid)
    services.permit_pdf_issue(permit_id=valid.pk)
    valid.refresh_from_db()
    print(
        json.dumps(
            {
                "qr": {
                    "valid": services.permit_qr_text(valid),
                    "expired": services.permit_qr_text(expired),
                    "revoked": services.permit_qr_text(revoked),
                    "forged": forged,
                    "altered": altered,
                    "later_revoked": services.permit_qr_text(later_revoked),
                },
                "valid_pdf": valid.pdf.path,
                "valid_name": valid.holder_last_name.upper(),
            }
        )
    )


def bad_lists() -> None:
    """Revocation lists a verifier must refuse: another key, past renew-by, truncated (hex)."""
    from workinfrance.permits import revocations, seal
    from workinfrance.permits.keys import signing_key_active
    from workinfrance.permits.revocation_feed import revocation_list_build

    now = int(time.time())
    other = revocations.revocation_list_sign(
        issuer="FR-WIF", produced_at=now, renew_by=now + 3600, revoked=[], key=seal.signing_key_generate()
    )
    expired = revocations.revocation_list_sign(
        issuer="FR-WIF", produced_at=now - 7200, renew_by=now - 60, revoked=[], key=signing_key_active()
    )
    current = revocation_list_build()
    print(json.dumps({"other_key": other.hex(), "expired": expired.hex(), "truncated": current[:-20].hex()}))


def other_encodings(qr_text: str) -> None:
    """Genuine permit, other encodings: the high-S twin of its signature, and its claims re-signed by
    the service's key with the map keys out of order (valid signature, not the canonical form)."""
    import cbor2
    from django.conf import settings

    from workinfrance.permits import seal
    from workinfrance.permits.keys import signing_key_active

    message = cbor2.loads(seal.seal_from_qr_text(qr_text))
    protected, _unprotected, payload, signature = message.value
    s = int.from_bytes(signature[32:], "big")
    twin = signature[:32] + (seal.P256_ORDER - s).to_bytes(32, "big")
    high_s = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, twin]))
    claims = cbor2.loads(payload)
    reordered = cbor2.dumps(dict(reversed(list(claims.items()))))
    unordered = seal.sign_payload(reordered, signing_key_active())
    print(
        json.dumps(
            {
                "high_s": seal.qr_text(high_s, base_url=settings.WIF_PUBLIC_URL),
                "unordered": seal.qr_text(unordered, base_url=settings.WIF_PUBLIC_URL),
            }
        )
    )
