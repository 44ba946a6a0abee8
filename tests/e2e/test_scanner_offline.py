"""The offline scanner, as an employer's HR officer on a building site uses it: opened once with a network,
then in airplane mode. Its verdicts must be those of /V/ for the same codes, online and offline; a
revocation made meanwhile shows once the network is back; a revocation list it cannot trust is refused.

Figures for the closing note (time from page load to verdict, asset sizes) are written to
test-artifacts/scanner-figures.txt; nothing here is a timed assertion."""

import json
import os
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import segno
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

from .service import ARTIFACTS

PARIS_SUPERVISOR = "responsable.paris@workinfrance.test"

SCANNER = reverse("permits:scanner")
CASES = ("valid", "expired", "revoked", "forged", "altered")
EXPECTED = {
    "valid": "valid",
    "expired": "expired",
    "revoked": "revoked",
    "forged": "not_genuine",
    "altered": "not_genuine",
}


@pytest.fixture(scope="module")
def permits(service, signing_key):
    return json.loads(service.python("from tests.e2e.scanner_data import seed; seed()"))


def qr_image(text: str, path: Path) -> Path:
    """The code as a phone photo of the paper would give it: a plain PNG, quiet zone included."""
    segno.make(text, error="m", micro=False).save(str(path), scale=6, border=4)
    return path


def permit_page_image(pdf_path: str, path: Path) -> Path:
    """The permit's page rasterised at 150 dpi, as a scanned copy sent by e-mail."""
    document = pdfium.PdfDocument(pdf_path)
    document[0].render(scale=150 / 72).to_pil().save(path)
    document.close()
    return path


def path_of(qr_text: str) -> str:
    return "/V/" + qr_text.rsplit("/V/", 1)[1]


def scanned_verdict(page, *, file: Path | None = None, text: str | None = None) -> str:
    page.evaluate("() => { delete document.getElementById('result').dataset.verdict }")
    if file is not None:
        page.locator("#file").set_input_files(str(file))
    else:
        page.locator("#pasted").fill(text)
        page.locator("#pasted").focus()
        page.keyboard.press("Tab")  # the check button, by keyboard
        page.keyboard.press("Enter")
    result = page.locator("#result[data-verdict]")
    expect(result).to_have_count(1, timeout=60_000)
    return result.get_attribute("data-verdict")


def open_scanner(person, *, lang: str = "fr"):
    person.goto(SCANNER + ("?lang=en" if lang == "en" else ""))
    expect(person.page.locator("#scanner[data-ready=true]")).to_have_count(1)


def test_scanner_verdicts_online_offline_and_after_a_revocation(
    open_person, journal, service, permits, tmp_path, browser
):
    codes = permits["qr"]
    images = {case: qr_image(codes[case], tmp_path / f"{case}.png") for case in CASES}
    page_image = permit_page_image(permits["valid_pdf"], tmp_path / "permit-page.png")

    # What /V/ says for each code, in a browser that stays online.
    reference = open_person("reference check (online)")
    for case in CASES:
        reference.goto(path_of(codes[case]))
        assert (
            reference.page.locator("[data-verdict]").first.get_attribute("data-verdict") == EXPECTED[case]
        ), case

    # First visit, with a network: the page installs itself for offline use.
    officer = open_person("HR officer on a building site")
    loaded = time.monotonic()
    open_scanner(officer)
    page = officer.page
    assert scanned_verdict(page, file=page_image) == "valid"  # a rasterised permit page, as an image
    first_verdict_seconds = time.monotonic() - loaded
    expect(page.locator("#verdict-live")).to_have_attribute("aria-live", "assertive")
    expect(page.locator("#verdict")).to_have_text("Autorisation authentique et valide")
    expect(page.locator("#fields table")).to_contain_text(permits["valid_name"])
    journal.check(officer, "scanner-valid-from-image", replay=False)
    assert scanned_verdict(page, file=Path(permits["valid_pdf"])) == "valid"  # the PDF, rasterised by pdf.js
    for case in CASES:
        assert scanned_verdict(page, file=images[case]) == EXPECTED[case], case
    expect(page.locator("#lists-status")).to_contain_text("Liste des retraits du ")
    expect(page.locator("#offline-status[data-ready=true]")).to_have_count(1, timeout=60_000)
    journal.check(officer, "scanner-online", replay=False)

    # Airplane mode: the page, its scripts, the keys and the list come from the device.
    officer.context.set_offline(True)
    page.reload()
    expect(page.locator("#scanner[data-ready=true]")).to_have_count(1)
    expect(page.locator("#offline-status")).to_contain_text("Hors ligne")
    expect(page.locator("#lists-status")).to_contain_text("Liste des retraits du ")
    for case in CASES:
        assert scanned_verdict(page, file=images[case]) == EXPECTED[case], f"offline {case}"
    assert scanned_verdict(page, text=codes["valid"]) == "valid"  # pasted text, checked by keyboard
    assert scanned_verdict(page, file=Path(permits["valid_pdf"])) == "valid"  # pdf.js kept offline too
    journal.check(officer, "scanner-offline", replay=False)

    # A supervisor revokes a permit while the phone has no network: the phone cannot know yet...
    supervisor = open_person("Paris supervisor")
    supervisor.log_in(PARIS_SUPERVISOR, DEMO_PASSWORD)
    supervisor.goto(path_of(codes["later_revoked"]))
    supervisor.page.get_by_role("link", name="Retirer cette autorisation").click()
    supervisor.page.get_by_label("Motif du retrait").fill("Contrat rompu.")
    supervisor.page.get_by_role("button", name="Retirer l'autorisation").click()
    expect(supervisor.page.get_by_test_id("permit-status").first).to_contain_text("Retirée")
    assert scanned_verdict(page, text=codes["later_revoked"]) == "valid"
    # ... and knows as soon as the network is back.
    officer.context.set_offline(False)
    assert scanned_verdict(page, text=codes["later_revoked"]) == "revoked"
    reference.goto(path_of(codes["later_revoked"]))
    assert reference.page.locator("[data-verdict]").first.get_attribute("data-verdict") == "revoked"
    journal.check(officer, "scanner-revocation-picked-up", replay=False)

    # No horizontal scrolling on a small phone, for the scanner's verdict or /V/'s.
    page.set_viewport_size({"width": 320, "height": 700})
    assert scanned_verdict(page, text=codes["valid"]) == "valid"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    reference.page.set_viewport_size({"width": 320, "height": 700})
    reference.goto(path_of(codes["valid"]))
    assert reference.page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert reference.page.evaluate(
        "() => [...document.querySelectorAll('table, td, th')].every(e => e.scrollWidth <= e.clientWidth + 1)"
    )

    # In English, and as checked by axe.
    english = open_person("inspector", language="en")
    open_scanner(english, lang="en")
    assert scanned_verdict(english.page, file=images["revoked"]) == "revoked"
    expect(english.page.locator("#verdict")).to_have_text("Permit revoked")
    journal.check(english, "scanner-english", replay=False)

    figures = [
        f"time from page load to verdict on a rasterised permit image (first visit, Chromium): "
        f"{first_verdict_seconds:.2f} s (load average {os.getloadavg()[0]:.2f})"
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scanner-figures.txt").write_text("\n".join(figures) + "\n")


def serve(body: bytes):
    def handler(route, request):
        route.fulfill(status=200, body=body, content_type="application/cose")

    return handler


def test_a_revocation_list_the_browser_cannot_trust_is_refused(browser, service, permits, journal):
    """Signed by another key, past its renew-by time, or truncated: the scanner says the list is refused
    and never calls a permit valid on it (no service worker here, so the route serves the bad list)."""
    bad = json.loads(service.python("from tests.e2e.scanner_data import bad_lists; bad_lists()"))
    context = browser.new_context(base_url=service.url, service_workers="block", locale="fr-FR")
    try:
        page = context.new_page()
        for name, data in bad.items():
            context.unroute("**/.well-known/revocations")
            context.route("**/.well-known/revocations", serve(bytes.fromhex(data)))
            page.goto(SCANNER)
            expect(page.locator("#scanner[data-ready=true]")).to_have_count(1)
            expect(page.locator("#lists-status")).to_have_attribute("data-state", "refused")
            expect(page.locator("#lists-status")).to_contain_text("Liste des retraits refusée")
            assert scanned_verdict(page, text=permits["qr"]["valid"]) == "status_unknown", name
            assert scanned_verdict(page, text=permits["qr"]["revoked"]) == "status_unknown", name
            assert scanned_verdict(page, text=permits["qr"]["forged"]) == "not_genuine", name
        # One encoding per permit (DESIGN §4): the browser refuses the other ones too.
        context.unroute("**/.well-known/revocations")
        other = json.loads(
            service.python(
                f"from tests.e2e.scanner_data import other_encodings; other_encodings({permits['qr']['valid']!r})"
            )
        )
        page.goto(SCANNER)
        expect(page.locator("#lists-status")).to_have_attribute("data-state", "loaded")
        assert scanned_verdict(page, text=permits["qr"]["valid"]) == "valid"
        assert scanned_verdict(page, text=other["high_s"]) == "not_genuine"
        assert scanned_verdict(page, text=other["unordered"]) == "malformed"
        expect(page.locator("#verdict")).to_have_text("Code illisible : ce n'est pas une autorisation")
    finally:
        context.close()
