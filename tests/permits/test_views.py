"""Public verification, public keys, download and revocation pages."""

import datetime
import html
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.core.events import events_for
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.terms import PermitTerms
from workinfrance.permits import seal, services
from workinfrance.permits.models import Permit

from tests.factories import complete_draft
from tests.permits.helpers import accept, claims, verdict_in


def verify_url(permit) -> str:
    return reverse("permits:verify", kwargs={"seal": permit.seal})


def test_qr_path_is_short_and_at_the_root(issued_permit):
    assert verify_url(issued_permit) == f"/V/{issued_permit.seal}"
    assert services.permit_qr_text(issued_permit).endswith(verify_url(issued_permit))


def test_valid_permit_shows_the_verdict_first_then_only_what_to_compare(client, issued_permit):
    response = client.get(verify_url(issued_permit))
    assert verdict_in(response) == "valid"
    html = response.content.decode()
    verdict_at = html.index("Autorisation authentique et valide")
    assert verdict_at < html.index(issued_permit.holder_last_name.upper())
    assert "Genuine and valid permit" in html
    for shown in (
        "Amina",
        "14/03/2002",
        "Boulangerie du Panthéon SARL",
        issued_permit.valid_until.strftime("%d/%m/%Y"),
    ):
        assert shown in html
    for hidden in ("algérienne", "Apprentie développeuse", "Alger", "7501234567"):
        assert hidden not in html
    assert "<script" not in html.split('id="content"', 1)[1].split("</main>", 1)[0]  # no JavaScript needed
    assert "no-store" in response["Cache-Control"]  # the status may change at any time


def test_revoked_permit_says_so_with_the_date_at_once(
    client, issued_permit, supervisor, django_capture_on_commit_callbacks
):
    assert verdict_in(client.get(verify_url(issued_permit))) == "valid"  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):  # the cached state is dropped on commit
        services.permit_revoke_by_supervisor(
            permit=issued_permit, actor=supervisor, reason="Fraude au contrat"
        )
    response = client.get(verify_url(issued_permit))
    assert verdict_in(response) == "revoked"
    html = response.content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Retirée le {today}" in html and f"Revoked on {today}" in html
    assert "Fraude au contrat" not in html  # the reason is for the file, not for verifiers


def test_expired_permit(client, applicant, agent, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    terms = PermitTerms(
        validity_start=today - datetime.timedelta(days=300),
        validity_end=today - datetime.timedelta(days=3),
        weekly_hours=Decimal("20.0"),
    )
    permit = accept(
        complete_draft(applicant=applicant),
        agent=agent,
        capture=django_capture_on_commit_callbacks,
        terms=terms,
        filed_at=timezone.now() - datetime.timedelta(days=400),
    )
    response = client.get(verify_url(permit))
    assert verdict_in(response) == "expired"
    assert "Genuine permit, but expired" in response.content.decode()


def test_altered_seal_is_not_genuine(client, issued_permit):
    position = len(issued_permit.seal) // 2
    replacement = "A" if issued_permit.seal[position] != "A" else "B"
    altered = issued_permit.seal[:position] + replacement + issued_permit.seal[position + 1 :]
    response = client.get(f"/V/{altered}")
    assert verdict_in(response) == "not_genuine"
    html = response.content.decode()
    assert "Autorisation non authentique" in html and "Not a genuine permit" in html
    assert issued_permit.holder_last_name.upper() not in html


def test_seal_of_an_unknown_key_is_not_genuine(client, issued_permit):
    stranger = seal.signing_key_generate()
    forged = seal.sign(claims(permit_id=issued_permit.uuid, number=issued_permit.number), stranger)
    assert verdict_in(client.get(f"/V/{seal.base32_encode(forged)}")) == "not_genuine"


@pytest.mark.parametrize("garbage", ["", "HELLO", "a" * 40, "%C3%A9", "A" * 3000])
def test_garbage_is_not_genuine(client, db, garbage):
    response = client.get(f"/V/{garbage}")
    if garbage:
        assert verdict_in(response) == "not_genuine"
    else:
        assert response.status_code == 404


def test_genuine_signature_of_a_permit_this_service_does_not_know(client, issued_permit):
    from workinfrance.permits.keys import signing_key_active

    unknown = seal.sign(claims(), signing_key_active())
    assert verdict_in(client.get(f"/V/{seal.base32_encode(unknown)}")) == "not_genuine"


def test_cached_public_page_holds_nothing_about_the_visitor(client, issued_permit, supervisor):
    client.force_login(supervisor)
    signed_in = client.get(verify_url(issued_permit)).content.decode()
    assert "Retirer cette autorisation" in signed_in
    client.logout()
    for _ in range(2):  # first rendering, then from the cache
        html = client.get(verify_url(issued_permit)).content.decode()
        assert "Retirer cette autorisation" not in html
        assert "csrfmiddlewaretoken" not in html and "<script" not in html and "nonce" not in html


def test_removing_a_key_from_the_keyring_forgets_cached_signature_checks(client, issued_permit, settings):
    assert verdict_in(client.get(verify_url(issued_permit))) == "valid"
    keyring = settings.WIF_SIGNING_KEY_DIR / "keyring.json"
    document = json.loads(keyring.read_text())
    document["keys"] = [entry for entry in document["keys"] if entry["kid"] != issued_permit.seal_kid]
    keyring.write_text(json.dumps(document))
    assert verdict_in(client.get(verify_url(issued_permit))) == "not_genuine"


def test_language_switch_of_the_public_page_is_a_link(client, issued_permit):
    html = client.get(verify_url(issued_permit)).content.decode()
    assert '<html lang="fr"' in html and 'href="?lang=en"' in html
    english = client.get(verify_url(issued_permit) + "?lang=en").content.decode()
    assert '<html lang="en"' in english and "Date of birth" in english
    assert verdict_in(client.get(verify_url(issued_permit) + "?lang=xx")) == "valid"


def test_verdict_in_english_keeps_both_languages(client, issued_permit):
    client.cookies["django_language"] = "en"
    html = client.get(verify_url(issued_permit)).content.decode()
    assert "Genuine and valid permit" in html and "Autorisation authentique et valide" in html
    assert "Date of birth" in html


def test_verify_by_number_and_birth_date(client, issued_permit):
    url = reverse("permits:verify_form")
    assert client.get(url).status_code == 200
    number = issued_permit.number.lower().replace("-", "- ", 1)  # tolerant to case and spaces
    response = client.post(url, {"number": number, "birth_date": "2002-03-14"})
    assert verdict_in(response) == "valid"
    wrong = client.post(url, {"number": issued_permit.number, "birth_date": "2002-03-15"})
    assert wrong.status_code == 200 and "data-verdict" not in wrong.content.decode()
    assert "Aucune autorisation ne correspond" in wrong.content.decode()


def test_verify_by_number_is_throttled_per_client(client, issued_permit, settings):
    settings.WIF_THROTTLE_RULES = {"permit_lookup": {"client_free": 3}}
    url = reverse("permits:verify_form")
    for attempt in range(3):
        response = client.post(url, {"number": f"APT-2026-75-GUESS{attempt:03d}", "birth_date": "2002-03-14"})
        assert response.status_code == 200
    throttled = client.post(url, {"number": issued_permit.number, "birth_date": "2002-03-14"})
    assert throttled.status_code == 429
    assert "Trop de vérifications" in throttled.content.decode()
    assert "data-verdict" not in throttled.content.decode() and throttled["Retry-After"]
    other_client = client.post(
        url, {"number": issued_permit.number, "birth_date": "2002-03-14"}, REMOTE_ADDR="10.0.0.9"
    )
    assert verdict_in(other_client) == "valid"
    assert verdict_in(client.get(verify_url(issued_permit))) == "valid"  # the QR code is never throttled


def test_verify_by_number_is_throttled_per_number(client, issued_permit, settings):
    """Birth dates guessed from many addresses: the number's own counter stops them."""
    settings.WIF_THROTTLE_RULES = {"permit_lookup": {"identifier_free": 3}}
    url = reverse("permits:verify_form")
    for day in range(1, 4):
        wrong = client.post(
            url,
            {"number": issued_permit.number, "birth_date": f"2001-01-{day:02d}"},
            REMOTE_ADDR=f"10.3.0.{day}",
        )
        assert wrong.status_code == 200
    spelled = issued_permit.number.lower().replace("-", " - ")
    throttled = client.post(url, {"number": spelled, "birth_date": "2002-03-14"}, REMOTE_ADDR="10.3.0.9")
    assert throttled.status_code == 429 and "data-verdict" not in throttled.content.decode()


def test_jwks_publishes_every_key(client, issued_permit):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    (key,) = response.json()["keys"]
    assert {key["kty"], key["crv"], key["alg"], key["use"]} == {"EC", "P-256", "ES256", "sig"}
    assert bytes.fromhex(issued_permit.seal_kid) == seal.base64.urlsafe_b64decode(key["kid"] + "=")
    assert "d" not in key


def test_download_only_for_the_owner_and_the_unit(
    client, issued_permit, applicant, other_applicant, agent, lyon_agent, supervisor
):
    url = reverse("permits:download", kwargs={"number": issued_permit.number})
    assert client.get(url).status_code == 302  # to the login page
    for user, status in (
        (applicant, 200),
        (agent, 200),
        (supervisor, 200),
        (other_applicant, 404),
        (lyon_agent, 404),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert f'filename="{issued_permit.number}.pdf"' in response["Content-Disposition"]
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert events_for(issued_permit).filter(verb="permit.download").count() == 3


def test_supervisor_of_the_unit_revokes_with_a_reason(
    client, issued_permit, supervisor, django_capture_on_commit_callbacks
):
    url = reverse("permits:revoke", kwargs={"number": issued_permit.number})
    client.force_login(supervisor)
    assert f'href="{url}"' in client.get(verify_url(issued_permit)).content.decode()
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200 and Permit.objects.get(pk=issued_permit.pk).status == "valid"
    with django_capture_on_commit_callbacks(execute=True):  # the cached status is dropped on commit
        response = client.post(url, {"reason": "Titre de séjour retiré"})
    # Back to the dossier's screen in the back office (issue 15), which says so.
    dossier_screen = reverse("backoffice:dossier", kwargs={"uuid": issued_permit.dossier.uuid})
    assert response.status_code == 302 and response["Location"] == dossier_screen
    permit = Permit.objects.get(pk=issued_permit.pk)
    assert permit.status == "revoked" and permit.revoked_by == supervisor
    assert permit.revocation_reason == "Titre de séjour retiré"
    after = client.get(response["Location"])
    assert f"L'autorisation {permit.number} est retirée." in html.unescape(after.content.decode())
    assert verdict_in(client.get(verify_url(issued_permit))) == "revoked"
    assert events_for(permit).filter(verb="permit.revoke").exists()


def test_only_a_supervisor_of_the_issuing_unit_may_revoke(
    client, issued_permit, agent, lyon_supervisor, applicant
):
    url = reverse("permits:revoke", kwargs={"number": issued_permit.number})
    for user in (agent, lyon_supervisor, applicant):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
        assert f'href="{url}"' not in client.get(verify_url(issued_permit)).content.decode()
    with pytest.raises(services.PermitActionError):
        services.permit_revoke_by_supervisor(permit=issued_permit, actor=lyon_supervisor, reason="x")
    assert Permit.objects.get(pk=issued_permit.pk).status == "valid"


def test_reopening_the_decision_revokes_the_permit(client, issued_permit, supervisor):
    dossier_services.dossier_reopen(
        dossier=issued_permit.dossier, actor=supervisor, reason="Erreur de saisie"
    )
    assert verdict_in(client.get(verify_url(issued_permit))) == "revoked"


def test_verification_page_reads_the_database_twice_then_serves_from_the_cache(
    client, issued_permit, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(2):  # the live status of the sealed permit, then the permit shown
        assert verdict_in(client.get(verify_url(issued_permit))) == "valid"
    with django_assert_num_queries(0):
        assert verdict_in(client.get(verify_url(issued_permit))) == "valid"
