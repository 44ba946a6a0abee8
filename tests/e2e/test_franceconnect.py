"""A student signs in with FranceConnect (the local provider, npm oidc-provider), in Chromium:
the DSFR button, the provider's page, back with a new account, the certified identity in the filing
form, then the sign-out that also ends the FranceConnect session."""

import re

from django.urls import reverse
from playwright.sync_api import expect


def test_student_signs_in_with_franceconnect_and_sees_the_certified_identity(open_person, journal, service):
    student = open_person("étudiant FranceConnect")
    page = student.page
    student.goto(reverse("accounts:login"))
    button = page.locator("button.fr-connect")
    expect(button).to_contain_text("FranceConnect")
    expect(page.get_by_role("link", name=re.compile("Qu’est-ce que FranceConnect"))).to_have_attribute(
        "href", "https://franceconnect.gouv.fr/"
    )
    journal.check(student, "login-with-franceconnect", replay=False)

    button.click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(service.oidc.issuer('franceconnect'))}/interaction/"))
    page.get_by_role("button", name=re.compile("Lucas MARTIN")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(service.url)}/demarche/"))
    expect(student.header_tools.get_by_test_id("current-user")).to_have_text("Lucas Jean MARTIN")
    expect(page.get_by_text("Votre compte est créé avec FranceConnect.")).to_be_visible()
    journal.check(student, "franceconnect-dashboard", replay=False)

    page.get_by_role("link", name="Nouvelle demande").click()
    page.locator(
        "label[for=" + page.locator("input[name=filer_kind][value=student]").get_attribute("id") + "]"
    ).click()
    page.get_by_text("Contrat d'apprentissage").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(re.compile(r"/etapes/student/"))
    expect(page.get_by_text("Identité certifiée par FranceConnect", exact=True)).to_be_visible()
    for name, value in (
        ("student_first_name", "Lucas Jean"),
        ("student_last_name", "MARTIN"),
        ("student_birth_date", "2001-09-30"),
    ):
        expect(page.locator(f"input[name={name}]")).to_be_disabled()
        expect(page.locator(f"input[name={name}]")).to_have_value(value)
    journal.check(student, "franceconnect-certified-identity", replay=False)

    # Signing out passes by FranceConnect (id_token_hint) and comes back to the home page.
    student.header_tools.locator("form[action$='/deconnexion/'] button").click()
    expect(page).to_have_url(f"{service.url}/")
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    expect(student.header_tools.get_by_test_id("current-user")).to_have_count(0)
    journal.check(student, "franceconnect-signed-out", replay=False)
