"""One encoding per permit (issue 11, point 6): the ECDSA twin and every non-deterministic CBOR
encoding are refused. The bad seals are written with another CBOR implementation (cbor-diag, from
diagnostic notation), signed correctly, so only the encoding rule can refuse them."""

import cbor2
import cbor_diag
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from workinfrance.permits import seal

from tests.permits.helpers import claims, verification_key

N = seal.P256_ORDER


@pytest.fixture(scope="module")
def key():
    return seal.signing_key_generate()


@pytest.fixture(scope="module")
def keys(key):
    return {key.kid: verification_key(key)}


def h(data: bytes) -> str:
    return f"h'{data.hex()}'"


def claims_diag(c: seal.PermitClaims, *, order=None, field_order=None, indicator="") -> str:
    """The payload in diagnostic notation, maps written in the given key order."""
    fields = {
        0: "1",
        1: f'"{c.number}"',
        2: f'"{c.last_name}"',
        3: f'"{c.first_name}"',
        4: str((c.birth_date - seal.EPOCH).days),
        5: f'"{c.employer_name}"',
        6: f'"{c.employer_siret}"',
        7: f'"{c.category}"',
        8: str(int(c.weekly_hours * 10)) + indicator,
        9: str((c.valid_from - seal.EPOCH).days),
        10: str((c.valid_until - seal.EPOCH).days),
    }
    permit = "{" + ", ".join(f"{k}: {fields[k]}" for k in (field_order or sorted(fields))) + "}"
    top = {
        1: f'"{c.issuer}"',
        4: str(c.expires_at),
        6: str(c.issued_at),
        7: h(c.permit_id.bytes),
        -65537: permit,
    }
    return "{" + ", ".join(f"{k}: {top[k]}" for k in (order or [1, 4, 6, 7, -65537])) + "}"


def signed(key, protected_diag: str, payload_diag: str, *, high_s=False) -> bytes:
    """A COSE_Sign1 built by cbor-diag, with a valid ES256 signature (low-S unless asked)."""
    protected = cbor_diag.diag2cbor(protected_diag)
    payload = cbor_diag.diag2cbor(payload_diag)
    to_sign = cbor_diag.diag2cbor(f"[\"Signature1\", {h(protected)}, h'', {h(payload)}]")
    r, s = decode_dss_signature(key.private_key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    s = max(s, N - s) if high_s else min(s, N - s)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor_diag.diag2cbor(f"18([{h(protected)}, {{}}, {h(payload)}, {h(signature)}])")


def header(key) -> str:
    return f"{{1: -7, 4: {h(key.kid)}}}"


def test_the_signer_emits_what_another_encoder_writes_for_the_same_values(key, keys):
    c = claims()
    genuine = seal.sign(c, key)
    protected, _unprotected, payload, signature = cbor2.loads(genuine).value
    assert payload == cbor_diag.diag2cbor(claims_diag(c))  # keys sorted, shortest forms
    assert protected == cbor_diag.diag2cbor(header(key))
    assert genuine == cbor_diag.diag2cbor(f"18([{h(protected)}, {{}}, {h(payload)}, {h(signature)}])")
    # The control for the tests below: a seal written by cbor-diag in the deterministic form verifies.
    assert seal.verify(signed(key, header(key), claims_diag(c)), keys) == c


def test_every_issued_signature_is_low_s(key):
    for _ in range(64):  # a high-S signature has one chance in two on each signing
        signature = cbor2.loads(seal.sign(claims(), key)).value[3]
        assert int.from_bytes(signature[32:], "big") <= N // 2


def test_the_high_s_twin_of_a_genuine_seal_is_refused(key, keys):
    genuine = seal.sign(claims(), key)
    protected, _unprotected, payload, signature = cbor2.loads(genuine).value
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    twin_signature = signature[:32] + (N - s).to_bytes(32, "big")
    twin = cbor_diag.diag2cbor(f"18([{h(protected)}, {{}}, {h(payload)}, {h(twin_signature)}])")
    # The twin is a valid ECDSA signature of the same content (plain cryptography accepts it)...
    to_sign = cbor_diag.diag2cbor(f"[\"Signature1\", {h(protected)}, h'', {h(payload)}]")
    key.private_key.public_key().verify(encode_dss_signature(r, N - s), to_sign, ec.ECDSA(hashes.SHA256()))
    # ...and the seal verifier refuses it: one valid string per permit.
    with pytest.raises(seal.BadSignature, match="high-S"):
        seal.verify(twin, keys)
    with pytest.raises(seal.BadSignature):
        seal.verify(signed(key, header(key), claims_diag(claims()), high_s=True), keys)


@pytest.mark.parametrize(
    "reordered",
    [
        {"order": [4, 1, 6, 7, -65537]},  # CWT claims
        {"order": [-65537, 1, 4, 6, 7]},  # the private claim first (length-first order would put it last too)
        {"field_order": [0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10]},  # the permit's fields
    ],
)
def test_map_keys_in_another_order_are_refused(key, keys, reordered):
    bad = signed(key, header(key), claims_diag(claims(), **reordered))
    with pytest.raises(seal.MalformedSeal, match="order"):
        seal.verify(bad, keys)


def test_a_reordered_protected_header_is_refused(key, keys):
    bad = signed(key, f"{{4: {h(key.kid)}, 1: -7}}", claims_diag(claims()))
    with pytest.raises(seal.MalformedSeal, match="order"):
        seal.verify(bad, keys)


@pytest.mark.parametrize(
    ("protected_diag", "payload_edit", "reason"),
    [
        (None, {"indicator": "_0"}, "shortest"),  # 20 (hours in tenths) with a one-byte argument
        ("{1: -7_0, 4: KID}", {}, "shortest"),
        ("{_ 1: -7, 4: KID}", {}, "indefinite"),
    ],
)
def test_longer_heads_and_indefinite_lengths_are_refused(key, keys, protected_diag, payload_edit, reason):
    protected = (protected_diag or header(key)).replace("KID", h(key.kid))
    bad = signed(key, protected, claims_diag(claims(weekly_hours=2), **payload_edit))  # 20 fits in one byte
    with pytest.raises(seal.MalformedSeal, match=reason):
        seal.verify(bad, keys)


def test_an_indefinite_length_outer_array_is_refused(key, keys):
    genuine = seal.sign(claims(), key)
    protected, _unprotected, payload, signature = cbor2.loads(genuine).value
    bad = cbor_diag.diag2cbor(f"18([_ {h(protected)}, {{}}, {h(payload)}, {h(signature)}])")
    with pytest.raises(seal.MalformedSeal, match="indefinite"):
        seal.verify(bad, keys)
