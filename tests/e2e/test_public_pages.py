"""Pages anyone can open, in French then in English through the header's language switch."""

from django.urls import reverse
from playwright.sync_api import expect

from .people import french_left

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
    # The detector of French left in English pages (used on every English page) does see French.
    assert french_left(visitor.page)
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


def test_an_english_browser_gets_english_until_the_visitor_chooses(open_person, journal):
    visitor = open_person("visitor", language="en")  # a browser set to British English, no cookie
    visitor.goto(reverse("core:home"))
    expect(visitor.page.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.page.get_by_role("heading", level=2, name="You are a student")).to_be_visible()
    journal.check(visitor, "home", replay=False)
    visitor.switch_language("fr")
    visitor.goto(reverse("core:home"))
    expect(visitor.page.locator("html")).to_have_attribute("lang", "fr")


def test_small_screens_reach_the_navigation_through_the_menu_button(open_person, journal):
    visitor = open_person("visitor on a phone")
    visitor.page.set_viewport_size({"width": 360, "height": 740})
    visitor.goto(reverse("core:home"))
    navigation = visitor.page.get_by_role("navigation", name="Menu principal")
    expect(navigation).to_be_hidden()
    journal.check(visitor, "home-phone", replay=False)

    visitor.page.get_by_role("button", name="Menu").click()
    expect(navigation).to_be_visible()
    # The account and language buttons are copied into the menu by the DSFR script.
    menu = visitor.page.locator("#header-navigation")
    expect(menu.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(menu.get_by_role("button", name="English")).to_be_visible()
    journal.check(visitor, "menu-open", replay=False)
    visitor.page.keyboard.press("Escape")
    expect(navigation).to_be_hidden()


def test_the_checks_catch_what_they_look_for(open_person, journal):
    """The page checks fail on a serious accessibility violation and on a clipped button label;
    lesser findings are noted for review without failing."""
    visitor = open_person("visitor")
    visitor.goto(reverse("core:home"))
    visitor.page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="/static/wif/wif.css"><input type="text"><h6>Six</h6>');
            const button = document.querySelector('main .fr-btns-group .fr-btn');
            button.classList.add('fr-icon-add-line');
        }"""
    )
    problems = "\n".join(journal.problems(visitor, "broken-on-purpose"))
    assert "[critical] image-alt" in problems
    assert "[critical] label" in problems
    assert "button label hidden by the icon-only style" in problems
    assert "heading-order" not in problems
    assert "[moderate] heading-order" in journal.notes.read_text()
