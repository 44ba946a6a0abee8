"""Key management (create, rotate, list) and the command-line verifier."""

import io
import json
import stat

import pypdfium2
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from workinfrance.permits import keys, seal, services
from workinfrance.permits.jwks import jwks_document
from workinfrance.permits.models import Permit

from tests.factories import complete_draft
from tests.permits.helpers import accept, verdict_in, verification_key


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_create_rotate_list(settings):
    code, out = run("signing_keys", "create")
    assert code == 0 and "Active key" in out
    first = keys.keyring_load().active_kid
    directory = settings.WIF_SIGNING_KEY_DIR
    private = directory / f"{first.hex()}.key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    with pytest.raises(CommandError):
        call_command("signing_keys", "create", stdout=io.StringIO())

    run("signing_keys", "rotate")
    ring = keys.keyring_load()
    assert ring.active_kid != first and set(ring.verification_keys) == {first, ring.active_kid}
    assert not private.exists()  # a retired key never signs again
    listing = run("signing_keys", "list")[1]
    assert f"{first.hex()}" in listing and "retired" in listing and "active" in listing


def test_the_keyring_is_parsed_once_while_its_file_is_unchanged():
    # Every verification asks for the keys: parsing the file and the public keys each time cost
    # more than the signature check itself.
    run("signing_keys", "create")
    ring = keys.keyring_load()
    assert keys.keyring_load() is ring
    assert keys.signing_key_active() is keys.signing_key_active()
    run("signing_keys", "rotate")  # the file changed: read again
    assert keys.keyring_load() is not ring and keys.keyring_load().active_kid != ring.active_kid


def test_without_automatic_creation_issuing_needs_a_key(settings):
    settings.WIF_SIGNING_KEY_AUTO_CREATE = False
    with pytest.raises(keys.SigningKeyMissing):
        keys.signing_key_active()
    run("signing_keys", "create")
    assert keys.signing_key_active().kid == keys.keyring_load().active_kid


def test_a_permit_sealed_under_a_retired_key_still_verifies(
    client, issued_permit, applicant, agent, django_capture_on_commit_callbacks
):
    old_kid = issued_permit.seal_kid
    run("signing_keys", "rotate")
    newer = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    assert newer.seal_kid != old_kid
    for permit in (issued_permit, newer):
        response = client.get(reverse("permits:verify", kwargs={"seal": permit.seal}))
        assert verdict_in(response) == "valid"
    published = {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}
    assert len(published) == 2


def test_verify_permit_reads_the_pdf(issued_permit, tmp_path):
    path = tmp_path / "permit.pdf"
    path.write_bytes(Permit.objects.get(pk=issued_permit.pk).pdf.read())
    code, out = run("verify_permit", str(path))
    assert code == 0
    assert "VALID: Autorisation authentique et valide / Genuine and valid permit" in out
    assert issued_permit.number in out and "2002-03-14" in out


def test_verify_permit_reads_an_image_and_a_string(issued_permit, tmp_path):
    image_path = tmp_path / "scan.png"
    data = Permit.objects.get(pk=issued_permit.pk).pdf.read()
    pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil().save(image_path)
    assert run("verify_permit", str(image_path))[0] == 0
    assert run("verify_permit", services.permit_qr_text(issued_permit))[0] == 0
    blank = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(blank)
    with pytest.raises(CommandError) as error:
        call_command("verify_permit", str(blank), stdout=io.StringIO())
    assert error.value.returncode == 4


def test_verify_permit_verdicts(issued_permit, supervisor):
    text = services.permit_qr_text(issued_permit)
    position = len(text) - 10
    altered = text[:position] + ("A" if text[position] != "A" else "B") + text[position + 1 :]
    code, out = run("verify_permit", altered)
    assert code == 1 and "NOT_GENUINE" in out
    services.permit_revoke_by_supervisor(permit=issued_permit, actor=supervisor, reason="Fraude")
    code, out = run("verify_permit", text)
    assert code == 3 and "REVOKED" in out and "revoked at" in out


def test_verify_permit_offline_uses_only_the_given_jwks(issued_permit, client, tmp_path, supervisor):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(client.get("/.well-known/jwks.json").content.decode())
    text = services.permit_qr_text(issued_permit)
    services.permit_revoke_by_supervisor(permit=issued_permit, actor=supervisor, reason="Fraude")
    code, out = run("verify_permit", text, "--offline", "--jwks", str(jwks))
    assert code == 0 and "revocation status not checked" in out  # offline: the signature and the dates only

    stranger = tmp_path / "stranger.json"

    stranger.write_text(json.dumps(jwks_document([verification_key(seal.signing_key_generate())])))
    assert run("verify_permit", text, "--offline", "--jwks", str(stranger))[0] == 1
    with pytest.raises(CommandError):
        call_command("verify_permit", text, "--offline", stdout=io.StringIO())
