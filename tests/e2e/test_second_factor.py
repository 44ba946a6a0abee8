"""The staff's second factor in Chromium against the real service: a new agent is made to enrol at the
first sign-in, scans the QR code (decoded here with zxing-cpp, the code computed with pyotp as a phone
app would), keeps the recovery codes, adds a passkey held by Chromium's virtual authenticator (CDP
WebAuthn domain) and signs in with it the next time, in English."""

import io
import re

import pyotp
import zxingcpp
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

NEW_AGENT = "nora.petit@workinfrance.test"
NEW_AGENT_PASSWORD = "Agent-de-Paris-2026"


def create_agent(service) -> None:
    """As an administrator does: an account of the Paris unit, with a password and nothing else."""
    service.python(
        "from workinfrance.accounts.models import Role, User\n"
        "from workinfrance.territories.models import Unit\n"
        f"user = User.objects.create_user(email='{NEW_AGENT}', password='{NEW_AGENT_PASSWORD}',"
        " role=Role.AGENT, first_name='Nora', last_name='Petit')\n"
        "user.units.set([Unit.objects.get(name__contains='Paris')])\n"
    )


def add_virtual_authenticator(person) -> tuple[object, str]:
    cdp = person.context.new_cdp_session(person.page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_new_agent_enrols_the_app_from_the_qr_code_then_a_passkey_and_signs_in_with_it(
    open_person, journal, service
):
    create_agent(service)
    # Passkeys are offered to https sites and to http://localhost only.
    agent = open_person("new agent", host="localhost")
    cdp, authenticator_id = add_virtual_authenticator(agent)
    page = agent.page
    heading = page.get_by_role("heading", level=1)

    # First sign-in: the password opens nothing but the enrolment.
    agent.log_in(NEW_AGENT, NEW_AGENT_PASSWORD, stop_at_second_factor=True)
    expect(heading).to_have_text("Activer la vérification en deux étapes")
    agent.goto(reverse("backoffice:inbox"))
    expect(heading).to_have_text("Activer la vérification en deux étapes")
    journal.check(agent, "second-factor-setup", replay=False)

    # The phone scans the QR code drawn by the service.
    shot = Image.open(io.BytesIO(page.locator(".wif-totp-qr svg").screenshot()))
    [qr] = [code for code in zxingcpp.read_barcodes(shot) if code.format == zxingcpp.BarcodeFormat.QRCode]
    assert qr.text.startswith("otpauth://totp/")
    app = pyotp.parse_uri(qr.text)
    # Label "issuer:account", the colon percent-encoded (allowed by the Key URI format; pyotp keeps it).
    assert app.name == f"Work in France:{NEW_AGENT}"
    assert app.secret == page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert (app.digits, app.interval, app.issuer) == (6, 30, "Work in France")
    page.get_by_label("Code à 6 chiffres").fill(app.now())
    page.get_by_role("button", name="Activer l'application").click()

    # Ten recovery codes, shown once.
    expect(heading).to_have_text("Codes de secours")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(set(codes)) == 10 and all(
        re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes
    )
    journal.check(agent, "recovery-codes", replay=False)
    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("backoffice:inbox")) + "$"))

    # A passkey as well, with the verified session.
    agent.goto(reverse("accounts:second_factor_setup"))
    page.get_by_role("button", name="Enregistrer une clé d'accès").click()
    expect(heading).to_have_text("Codes de secours")
    expect(page.get_by_role("main")).to_contain_text("Il vous reste 10 codes de secours.")
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credential["rpId"] == "localhost"
    agent.log_out()

    # The next sign-in, in English: password, then the passkey.
    agent.switch_language("en")
    agent.log_in(NEW_AGENT, NEW_AGENT_PASSWORD, stop_at_second_factor=True)
    expect(heading).to_have_text("Two-step verification")
    journal.check(agent, "en-second-factor", replay=False)
    page.get_by_role("button", name="Use my passkey").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("backoffice:inbox")) + "$"))
    journal.check(agent, "en-inbox-after-passkey", replay=False)
    [used] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert used["signCount"] > credential["signCount"]

    recorded = service.python(
        "from workinfrance.core.models import Event\n"
        "from workinfrance.accounts.models import User\n"
        f"user = User.objects.get(email='{NEW_AGENT}')\n"
        "print(sorted(Event.objects.filter(verb='account.second_factor_enrolled', target_id=str(user.pk))"
        ".values_list('data__method', flat=True)))\n"
    )
    assert recorded.strip() == "['totp', 'webauthn']"
