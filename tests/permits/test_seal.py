"""The seal format (pure functions, no database)."""

import io
import random

import cbor2
import pytest
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from PIL import Image

from workinfrance.permits import seal
from workinfrance.permits.jwks import JwksError, jwks_document, keys_from_jwks
from workinfrance.permits.qr import QR_SIZE_MM, QUIET_ZONE_MODULES, qr_modules, qr_png

from tests.permits.helpers import claims, verification_key

BASE_URL = "HTTPS://WORKINFRANCE.EXAMPLE.GOUV.FR"


@pytest.fixture(scope="module")
def key():
    return seal.signing_key_generate()


@pytest.fixture(scope="module")
def keys(key):
    return {key.kid: verification_key(key)}


@pytest.fixture(scope="module")
def genuine(key):
    return seal.sign(claims(), key)


def _resign(key, protected: dict, payload: bytes, *, hash_algorithm=None) -> bytes:
    """A COSE_Sign1 with an arbitrary protected header, correctly signed by `key`."""
    protected_bytes = cbor2.dumps(protected)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    r, s = decode_dss_signature(key.private_key.sign(to_sign, ec.ECDSA(hash_algorithm or hashes.SHA256())))
    s = min(s, seal.P256_ORDER - s)  # low-S, as the verifier requires: only the tested flaw remains
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(18, [protected_bytes, {}, payload, signature]))


def test_round_trip_through_the_qr_text(key, keys):
    original = claims()
    text = seal.qr_text(seal.sign(original, key), base_url=BASE_URL)
    assert text.startswith(f"{BASE_URL}/V/")
    assert set(text) <= seal.QR_ALPHANUMERIC
    assert seal.verify_qr_text(text, keys) == original
    assert seal.verify_qr_text(text.rsplit("/", 1)[1], keys) == original  # the Base32 part alone


def test_structure_follows_the_design(genuine, key):
    message = cbor2.loads(genuine)
    assert message.tag == 18
    protected, unprotected, payload, signature = message.value
    assert cbor2.loads(protected) == {1: -7, 4: key.kid} and len(key.kid) == 8
    assert unprotected == {}
    assert len(signature) == 64  # raw r || s, not DER
    cwt = cbor2.loads(payload)
    assert set(cwt) == {1, 4, 6, 7, seal.PERMIT_CLAIM}
    assert len(cwt[7]) == 16 and cwt[seal.PERMIT_CLAIM][seal.FIELD_VERSION] == 1


def _accepted(verify, candidates) -> list:
    """The candidates that verify; anything but a SealError propagates and fails the test."""
    accepted = []
    for candidate in candidates:
        try:
            verify(candidate)
        except seal.SealError:
            continue
        accepted.append(candidate)
    return accepted


def _framing_positions(data: bytes) -> set[int]:
    """COSE framing bytes: outside what the signature covers."""
    protected, _, payload, signature = cbor2.loads(data).value
    protected_at = data.index(protected)
    payload_at = data.index(payload, protected_at + len(protected))
    signature_at = len(data) - len(signature)
    return (
        set(range(protected_at))  # tag, array header, protected bstr header
        | set(range(protected_at + len(protected), payload_at))  # unprotected map, payload bstr header
        | set(range(payload_at + len(payload), signature_at))  # signature bstr header
    )


def test_every_single_byte_change_is_rejected(genuine, keys):
    """All 255 other values of every framing byte and of the protected header; for the claims and the
    signature, every single-bit flip and eight random values per byte (for ECDSA, any change there is
    the same event: a different message or signature)."""
    rng = random.Random(5)
    protected = cbor2.loads(genuine).value[0]
    protected_at = genuine.index(protected)
    exhaustive = _framing_positions(genuine) | set(range(protected_at, protected_at + len(protected)))
    altered = []
    for position, original in enumerate(genuine):
        if position in exhaustive:
            values = set(range(256))
        else:
            values = {original ^ (1 << bit) for bit in range(8)} | {rng.randrange(256) for _ in range(8)}
        values.discard(original)
        altered += [genuine[:position] + bytes([value]) + genuine[position + 1 :] for value in sorted(values)]
    assert len(altered) > 6000
    assert _accepted(lambda data: seal.verify(data, keys), altered) == []


def test_every_single_character_change_of_the_qr_text_is_rejected(genuine, keys):
    encoded = seal.base32_encode(genuine)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    rng = random.Random(7)
    # Every other character at the end (where Base32 leaves unused bits), a sample elsewhere.
    altered = (
        encoded[:position] + character + encoded[position + 1 :]
        for position in range(len(encoded))
        for character in (
            alphabet if position >= len(encoded) - 2 else "".join(rng.sample(alphabet, 4))
        ).replace(encoded[position], "")
    )
    assert _accepted(lambda text: seal.verify_qr_text(text, keys), altered) == []


def test_truncated_or_extended_seals_are_rejected(genuine, keys):
    encoded = seal.base32_encode(genuine)
    for length in range(len(genuine)):
        with pytest.raises(seal.MalformedSeal):
            seal.verify(genuine[:length], keys)
    for length in range(len(encoded)):
        with pytest.raises(seal.MalformedSeal):
            seal.verify_qr_text(encoded[:length], keys)
    with pytest.raises(seal.MalformedSeal):
        seal.verify(genuine + b"\x00", keys)


def _longer_length(item: bytes, head: int) -> bytes:
    """A byte string item re-encoded with a needlessly long length (same value, not canonical)."""
    value = cbor2.loads(item)
    width = {0x58: 1, 0x59: 2, 0x5A: 4}[head]
    return bytes([head]) + len(value).to_bytes(width, "big") + value


@pytest.mark.parametrize("head", [0x58, 0x59, 0x5A])
@pytest.mark.parametrize("part", ["protected", "payload", "signature"])
def test_a_needlessly_long_length_is_not_canonical(key, keys, head, part):
    protected, _unprotected, payload, signature = cbor2.loads(seal.sign(claims(), key)).value
    items = {
        name: cbor2.dumps(value)
        for name, value in zip(
            ("protected", "payload", "signature"), (protected, payload, signature), strict=True
        )
    }
    if head == 0x58 and len(cbor2.loads(items[part])) >= 24:
        head = 0x59  # one length byte is already the shortest form for this part
    items[part] = _longer_length(items[part], head)
    data = b"\xd2\x84" + items["protected"] + b"\xa0" + items["payload"] + items["signature"]
    with pytest.raises(seal.MalformedSeal):
        seal.verify(data, keys)


def test_random_inputs_only_ever_raise_seal_errors(genuine, keys):
    rng = random.Random(20261123)
    samples = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 400))) for _ in range(1500)]
    for _ in range(1500):  # mutations of a genuine seal get past the first checks more often
        mutated = bytearray(genuine)
        for _ in range(rng.randint(1, 6)):
            operation, position = rng.choice("rid"), rng.randrange(len(mutated))
            if operation == "r":
                mutated[position] = rng.getrandbits(8)
            elif operation == "i":
                mutated.insert(position, rng.getrandbits(8))
            else:
                del mutated[position]
        if mutated != genuine:  # insert then delete can give the original back
            samples.append(bytes(mutated))
    for sample in samples:
        with pytest.raises(seal.SealError):
            seal.verify(sample, keys)
    texts = ["", "/V/", "HTTP://X/V/=", "é", "a" * 5000, "ABCDEFGH" * 600]
    texts += ["".join(rng.choice("AZ27=/:.8-abé\n ") for _ in range(rng.randint(0, 80))) for _ in range(500)]
    for text in texts:
        with pytest.raises(seal.SealError):
            seal.verify_qr_text(text, keys)
    for value in (None, 42, ["x"], "text"):
        with pytest.raises(seal.SealError):
            seal.verify(value, keys)


def test_unknown_key(genuine):
    other = seal.signing_key_generate()
    with pytest.raises(seal.UnknownKey):
        seal.verify(genuine, {other.kid: verification_key(other)})


def test_forged_seal_under_a_known_kid_has_a_bad_signature(key, keys):
    forger = seal.signing_key_generate()
    forged = seal.sign(
        claims(last_name="Faussaire"), seal.SigningKey(kid=key.kid, private_key=forger.private_key)
    )
    with pytest.raises(seal.BadSignature):
        seal.verify(forged, keys)


def test_the_algorithm_is_bound_to_the_key_not_to_the_header(key, keys, genuine):
    payload = cbor2.loads(genuine).value[2]
    # Correctly signed, but the header claims ES384: refused, whatever the header says.
    with pytest.raises(seal.WrongAlgorithm):
        seal.verify(_resign(key, {1: -35, 4: key.kid}, payload, hash_algorithm=hashes.SHA384()), keys)
    # A key registered for another algorithm never verifies an ES256 header.
    p384 = ec.generate_private_key(ec.SECP384R1())
    wrong_curve = {key.kid: seal.VerificationKey(kid=key.kid, public_key=p384.public_key())}
    with pytest.raises(seal.WrongAlgorithm):
        seal.verify(genuine, wrong_curve)
    with pytest.raises(seal.WrongAlgorithm):
        seal.verify(
            genuine,
            {key.kid: seal.VerificationKey(kid=key.kid, public_key=key.private_key.public_key(), alg="none")},
        )


def test_headers_other_than_alg_and_kid_are_refused(key, keys, genuine):
    payload = cbor2.loads(genuine).value[2]
    with pytest.raises(seal.MalformedSeal):
        seal.verify(_resign(key, {1: -7, 4: key.kid, 3: "application/cwt"}, payload), keys)
    with pytest.raises(seal.MalformedSeal):
        seal.verify(_resign(key, {1: -7, 4: key.kid[:4]}, payload), keys)
    protected, _, payload, signature = cbor2.loads(genuine).value
    with_unprotected = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: b"x" * 8}, payload, signature]))
    with pytest.raises(seal.MalformedSeal):
        seal.verify(with_unprotected, keys)


def test_signed_but_unexpected_claims_are_malformed(key, keys):
    with pytest.raises(seal.MalformedSeal):
        seal.verify(_resign(key, {1: -7, 4: key.kid}, cbor2.dumps({1: "FR-WIF"})), keys)
    future_version = cbor2.loads(seal.claims_encode(claims()))
    future_version[seal.PERMIT_CLAIM][seal.FIELD_VERSION] = 2
    with pytest.raises(seal.MalformedSeal):
        seal.verify(_resign(key, {1: -7, 4: key.kid}, cbor2.dumps(future_version)), keys)


def test_expiry_is_the_exp_claim():
    sealed = claims(expires_at=1000)
    assert sealed.is_expired(1000) and not sealed.is_expired(999)


def test_qr_text_refuses_an_address_outside_the_alphanumeric_set(genuine):
    with pytest.raises(ValueError):
        seal.qr_text(genuine, base_url="https://exemple.fr/é")


@pytest.mark.parametrize("base_url", [BASE_URL, "HTTP://127.0.0.1:8000"])
def test_qr_symbol_is_the_one_segno_encodes_alphanumeric_at_level_m(genuine, base_url):
    """zxing-cpp draws the symbol; segno, another implementation, encoding the same text as one
    alphanumeric segment at level M (no boost), must give the same modules under one of the 8 masks."""
    text = seal.qr_text(genuine, base_url=base_url)
    modules = qr_modules(text)
    twins = [
        segno.make_qr(text, error="m", boost_error=False, mode="alphanumeric", mask=mask) for mask in range(8)
    ]
    assert twins[0].version <= 14 and twins[0].error == "M" and twins[0].mode == "alphanumeric"
    matching = [
        twin
        for twin in twins
        if [[bool(bit) for bit in row] for row in twin.matrix_iter(border=QUIET_ZONE_MODULES)] == modules
    ]
    assert len(matching) == 1


def test_qr_png_is_one_pixel_per_module_in_two_colours(genuine):
    text = seal.qr_text(genuine, base_url=BASE_URL)
    image = Image.open(io.BytesIO(qr_png(text)))
    size = len(qr_modules(text))
    assert image.size == (size, size) and image.mode == "1" and 35 <= QR_SIZE_MM <= 40
    assert [[image.getpixel((x, y)) == 0 for x in range(size)] for y in range(size)] == qr_modules(text)


def test_jwks_round_trip_and_relabelled_keys(key, keys):
    document = jwks_document(keys.values())
    (jwk,) = document["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
    assert keys_from_jwks(document).keys() == keys.keys()
    other = seal.signing_key_generate()
    relabelled = {"keys": [{**jwk, "kid": jwks_document([verification_key(other)])["keys"][0]["kid"]}]}
    with pytest.raises(JwksError):
        keys_from_jwks(relabelled)
    with pytest.raises(JwksError):
        keys_from_jwks({"keys": [{**jwk, "crv": "P-384"}]})


@pytest.mark.parametrize("length", [0, 23, 24, 255, 256, 65535, 65536])
def test_signed_structure_is_the_canonical_cbor_of_rfc_9052(length):
    protected, payload = b"\xa1\x01\x26", bytes(range(256)) * (length // 256) + bytes(length % 256)
    assert seal._sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])
