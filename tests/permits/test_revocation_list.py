"""The signed revocation list: checked here with cbor2 and cryptography directly (not seal.py), refused by
the command-line verifier when signed by another key, past its renew-by time or truncated."""

import hashlib
import io
import time
import uuid

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import CommandError, call_command
from django.urls import reverse

from workinfrance.permits import revocations, seal, services
from workinfrance.permits.keys import signing_key_active
from workinfrance.permits.management.commands.verify_permit import EXIT_UNREADABLE

from tests.permits.helpers import permit_with_validity

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def permit_for(applicant, agent, capture, *, start_in_days=0, end_in_days=200):
    """An issued permit (sealed, no PDF: these tests need none)."""
    with capture(execute=False):
        return permit_with_validity(applicant, agent, start_in_days=start_in_days, end_in_days=end_in_days)


def b64url(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_decode(data: bytes, jwks: dict) -> dict:
    """RFC 9052 by hand: tag 18, protected {1: -7, 4: kid}, ES256 over Sig_structure, raw r || s."""
    message = cbor2.loads(data)
    assert isinstance(message, cbor2.CBORTag) and message.tag == 18
    protected, unprotected, payload, signature = message.value
    header = cbor2.loads(protected)
    assert header[1] == -7 and unprotected == {}
    (jwk,) = [k for k in jwks["keys"] if b64url(k["kid"]) == header[4]]
    public_key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64url(jwk["x"]), "big"), int.from_bytes(b64url(jwk["y"]), "big"), ec.SECP256R1()
    ).public_key()
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert len(signature) == 64 and s <= P256_ORDER // 2  # low-S
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    public_key.verify(encode_dss_signature(r, s), to_be_signed, ec.ECDSA(hashes.SHA256()))
    return cbor2.loads(payload)


def test_published_list_holds_revoked_unexpired_permits_signed_with_the_seal_key(
    client, applicant, agent, supervisor, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    kept = permit_for(applicant, agent, capture)
    withdrawn = permit_for(applicant, agent, capture)
    withdrawn_and_over = permit_for(applicant, agent, capture, start_in_days=-300, end_in_days=-1)

    url = reverse("permits:revocations")
    first = client.get(url)  # now in the cache
    assert first.status_code == 200 and first["Content-Type"] == "application/cose"
    jwks = client.get(reverse("permits:jwks")).json()
    assert independent_decode(first.content, jwks)[-65538] == []

    for permit in (withdrawn, withdrawn_and_over):
        services.permit_revoke_by_supervisor(permit=permit, actor=supervisor, reason="Fraude")
    before = int(time.time())
    response = client.get(url)  # regenerated at once: the revocation dropped the cached list
    claims = independent_decode(response.content, jwks)
    assert claims[-65538] == [withdrawn.uuid.bytes]  # not the expired one, not the valid one
    assert kept.uuid.bytes not in claims[-65538]
    assert claims[1] == settings.WIF_SEAL_ISSUER
    assert before - 5 <= claims[6] <= int(time.time())
    assert claims[4] == claims[6] + settings.WIF_REVOCATIONS_RENEW_SECONDS
    assert "max-age=60" in response["Cache-Control"]

    # Tampering with any byte of the payload breaks the signature for the independent decoder too.
    tampered = bytearray(response.content)
    tampered[-70] ^= 1
    with pytest.raises((InvalidSignature, AssertionError, ValueError, cbor2.CBORDecodeError)):
        independent_decode(bytes(tampered), jwks)


def test_list_is_canonical_sorted_and_a_list_is_never_a_seal(settings):
    key = seal.signing_key_generate()
    keys = {key.kid: seal.VerificationKey(kid=key.kid, public_key=key.private_key.public_key())}
    ids = [uuid.uuid4() for _ in range(50)]
    now = int(time.time())
    data = revocations.revocation_list_sign(
        issuer="FR-WIF", produced_at=now, renew_by=now + 60, revoked=ids, key=key
    )
    listed = revocations.revocation_list_verify(data, keys, now=now)
    assert listed.revoked == frozenset(ids) and listed.renew_by == now + 60
    payload = cbor2.loads(cbor2.loads(data).value[2])
    assert payload[-65538] == sorted(i.bytes for i in ids)
    with pytest.raises(seal.MalformedSeal):
        seal.verify(data, keys)  # a list cannot pass for a permit

    # Out of order, or a duplicate: other encodings of a list, refused even when signed.
    first, second = sorted(i.bytes for i in ids[:2])
    for ctis in ([second, first], [first, first]):
        refused = seal.sign_payload(cbor2.dumps({1: "FR-WIF", 4: now + 60, 6: now, -65538: ctis}), key)
        with pytest.raises(seal.MalformedSeal):
            revocations.revocation_list_verify(refused, keys, now=now)


def test_high_s_twin_of_a_list_is_refused():
    key = seal.signing_key_generate()
    keys = {key.kid: seal.VerificationKey(kid=key.kid, public_key=key.private_key.public_key())}
    now = int(time.time())
    data = revocations.revocation_list_sign(
        issuer="FR-WIF", produced_at=now, renew_by=now + 60, revoked=[], key=key
    )
    message = cbor2.loads(data)
    signature = message.value[3]
    s = int.from_bytes(signature[32:], "big")
    twin = signature[:32] + (P256_ORDER - s).to_bytes(32, "big")
    twin_data = cbor2.dumps(cbor2.CBORTag(18, [*message.value[:3], twin]))
    with pytest.raises(seal.BadSignature):
        revocations.revocation_list_verify(twin_data, keys, now=now)


def run_cli(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_permit", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def test_offline_command_line_says_revoked_from_the_list_and_refuses_bad_lists(
    client, applicant, agent, supervisor, django_capture_on_commit_callbacks, tmp_path
):
    capture = django_capture_on_commit_callbacks
    valid = permit_for(applicant, agent, capture)
    revoked = permit_for(applicant, agent, capture)
    later = permit_for(applicant, agent, capture, start_in_days=42, end_in_days=300)
    services.permit_revoke_by_supervisor(permit=revoked, actor=supervisor, reason="Fraude")
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get(reverse("permits:jwks")).content)
    published = client.get(reverse("permits:revocations")).content
    good = tmp_path / "revocations.cose"
    good.write_bytes(published)

    def offline(permit, list_file):
        return run_cli(
            services.permit_qr_text(permit), "--offline", "--jwks", str(jwks), "--revocations", str(list_file)
        )

    assert offline(valid, good)[0] == 0
    code, output = offline(revoked, good)
    assert code == 3 and "REVOKED" in output
    assert offline(later, good)[0] == 5  # authentic, not yet in force
    # Without a list, an offline check cannot say "revoked" (and says so).
    code, output = run_cli(services.permit_qr_text(revoked), "--offline", "--jwks", str(jwks))
    assert code == 0 and "revocation status not checked" in output

    now = int(time.time())
    stranger = seal.signing_key_generate()
    bad_lists = {
        "other key": revocations.revocation_list_sign(
            issuer="FR-WIF", produced_at=now, renew_by=now + 3600, revoked=[], key=stranger
        ),
        "expired": revocations.revocation_list_sign(
            issuer="FR-WIF", produced_at=now - 7200, renew_by=now - 60, revoked=[], key=signing_key_active()
        ),
        "truncated": published[: len(published) - 20],
    }
    for name, data in bad_lists.items():
        path = tmp_path / f"{hashlib.sha256(name.encode()).hexdigest()[:8]}.cose"
        path.write_bytes(data)
        assert offline(revoked, path)[0] == EXIT_UNREADABLE, name
        assert offline(valid, path)[0] == EXIT_UNREADABLE, name  # never "valid" on a list it cannot trust
