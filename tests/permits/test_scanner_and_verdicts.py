"""The verdicts a person cannot misread, the number check, and what the offline scanner page is served with."""

import json
import re

import pytest
from django.urls import reverse

from workinfrance.permits import scanner_assets
from workinfrance.permits.selectors import normalize_number

from tests.permits.helpers import verdict_in
from tests.permits.test_revocation_list import permit_for


def test_a_permit_starting_later_is_authentic_but_not_yet_in_force(
    client, applicant, agent, django_capture_on_commit_callbacks
):
    permit = permit_for(
        applicant, agent, django_capture_on_commit_callbacks, start_in_days=42, end_in_days=300
    )
    response = client.get(reverse("permits:verify", kwargs={"seal": permit.seal}))
    assert verdict_in(response) == "not_yet_in_force"
    html = response.content.decode()
    start = permit.valid_from.strftime("%d/%m/%Y")
    assert "Autorisation authentique, pas encore en vigueur" in html
    assert "Genuine permit, not yet in force" in html
    assert f"Elle prend effet le {start}" in html and f"It takes effect on {start}" in html
    assert "Autorisation authentique et valide" not in html


@pytest.mark.parametrize(
    "typed",
    [
        "APT 2026 75 7K3M9QXA",
        "apt-2026-75-7k3m9qxa",
        "APT–2026–75–7K3M9QXA",  # en dashes, as word processors print them
        " APT2026757K3M9QXA ",
        "APT-2026-75-7K3M9QXA",
    ],
)
def test_numbers_are_read_whatever_the_spaces_dashes_and_case(typed):
    assert normalize_number(typed) == "APT-2026-75-7K3M9QXA"


def test_number_normalisation_keeps_three_character_departments_and_reads_crockford():
    assert normalize_number("apt 2026 971 7k3m9qxo") == "APT-2026-971-7K3M9QX0"
    assert normalize_number("APT-2026-2A-ABCDEFGH") == "APT-2026-2A-ABCDEFGH"
    assert normalize_number("WIF-2026-75-000123") == ""


def test_number_with_spaces_finds_the_permit_and_a_malformed_one_says_why(
    client, applicant, agent, django_capture_on_commit_callbacks
):
    permit = permit_for(applicant, agent, django_capture_on_commit_callbacks)
    url = reverse("permits:verify_form")
    birth_date = permit.holder_birth_date.isoformat()
    spaced = permit.number.replace("-", " ").lower()
    assert verdict_in(client.post(url, {"number": spaced, "birth_date": birth_date})) == "valid"
    malformed = client.post(url, {"number": "12345", "birth_date": birth_date}).content.decode()
    assert "Ce n&#x27;est pas un numéro d&#x27;autorisation" in malformed
    # A well-formed number with the wrong birth date: one answer, that reveals nothing.
    wrong = client.post(url, {"number": spaced, "birth_date": "1990-01-01"}).content.decode()
    assert "Aucune autorisation ne correspond" in wrong and "data-verdict" not in wrong


def test_the_eleventh_lookup_points_to_the_qr_the_scanner_and_the_batch_check(client, db, settings):
    settings.WIF_THROTTLE_RULES = {"permit_lookup": {"client_free": 10}}
    url = reverse("permits:verify_form")
    for attempt in range(10):
        client.post(url, {"number": f"APT-2026-75-{attempt:08d}", "birth_date": "2002-03-14"})
    throttled = client.post(url, {"number": "APT-2026-75-00000011", "birth_date": "2002-03-14"})
    assert throttled.status_code == 429
    html = throttled.content.decode()
    assert f'href="{reverse("permits:scanner")}"' in html
    assert "code QR" in html and "/api/v1/" in html


def test_scanner_page_alone_may_compile_webassembly_and_use_the_camera(client, db):
    page = client.get(reverse("permits:scanner"))
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp
    assert (
        "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
        and "'unsafe-inline'" not in csp.split("style-src")[0]
    )
    assert "camera=(self)" in page["Permissions-Policy"]
    other = client.get(reverse("permits:verify_form"))
    assert "wasm-unsafe-eval" not in other["Content-Security-Policy"]
    assert "camera=()" in other["Permissions-Policy"]
    html = page.content.decode()
    # Nothing from another host, and no inline script (the words are a JSON data block).
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")), src
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []
    assert 'aria-live="assertive"' in html


def test_everything_the_worker_keeps_is_served_by_the_service(client, db):
    worker = client.get(reverse("permits:scanner_sw"))
    assert worker["Content-Type"].startswith("text/javascript")
    script = worker.content.decode()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script).group(1))
    assert set(precache) == set(scanner_assets.precache_urls())
    assert reverse("permits:revocations") in precache and reverse("permits:jwks") in precache
    for url in precache:
        response = client.get(url)
        assert response.status_code == 200, url
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert f'"wif-scanner-{scanner_assets.version()}"' in script


def test_manifest_makes_the_scanner_installable_in_both_languages(client, db):
    for language, name in (("fr", "Vérifier une autorisation"), ("en", "Check a work permit")):
        manifest = client.get(reverse("permits:scanner_manifest"), {"lang": language}).json()
        assert manifest["lang"] == language and manifest["name"].startswith(name)
        assert manifest["display"] == "standalone" and manifest["start_url"].startswith(
            reverse("permits:scanner")
        )
        assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_revocation_list_waits_for_a_signing_key(client, db, settings, tmp_path):
    settings.WIF_SIGNING_KEY_AUTO_CREATE = False
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "none"
    assert client.get(reverse("permits:revocations")).status_code == 503
