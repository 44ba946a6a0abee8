"""Pages anyone can open, in French then in English through the header's language switch."""

from django.urls import reverse
from playwright.sync_api import expect

PUBLIC_PAGES = [
    ("home", reverse("core:home")),
    ("accessibility", reverse("core:page", args=["accessibilite"])),
    ("legal", reverse("core:page", args=["mentions-legales"])),
    ("privacy", reverse("core:page", args=["donnees-personnelles"])),
    ("login", reverse("accounts:login")),
    ("signup", reverse("accounts:signup")),
    ("password-reset", reverse("accounts:password_reset")),
    ("resend-confirmation", reverse("accounts:resend_confirmation")),
]


def test_public_pages_in_french_then_english(open_person, journal):
    visitor = open_person("visitor")
    for step, path in PUBLIC_PAGES:
        visitor.goto(path)
        journal.check(visitor, f"fr-{step}", replay=False)

    visitor.goto(reverse("core:home"))
    visitor.switch_language("en")
    # The switch brings the visitor back to the page they were on, now in English.
    expect(visitor.page).to_have_url(visitor.service_url + reverse("core:home"))
    expect(visitor.page.get_by_role("heading", level=2, name="You are a student")).to_be_visible()
    for step, path in PUBLIC_PAGES:
        visitor.goto(path)
        journal.check(visitor, f"en-{step}", replay=False)

    visitor.goto(reverse("core:home"))
    visitor.switch_language("fr")
    expect(visitor.page.get_by_role("heading", level=2, name="Vous êtes étudiant")).to_be_visible()


def test_french_by_default_even_when_the_browser_asks_for_english(open_person, journal):
    visitor = open_person("visitor")
    visitor.context.set_extra_http_headers({"Accept-Language": "en-GB,en;q=0.9"})
    visitor.goto(reverse("core:home"))
    expect(visitor.page.locator("html")).to_have_attribute("lang", "fr")
    journal.check(visitor, "home", replay=False)
