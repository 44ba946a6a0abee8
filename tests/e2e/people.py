"""People using the service in their own browser, and the journal of the pages they looked at."""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
from django.urls import reverse
from playwright.sync_api import BrowserContext, expect

from workinfrance.accounts.demo import DEMO_TOTP_SECRET

from . import axe


class Authenticator:
    """The demo staff's authenticator app (the secret `make run` prints), computed with pyotp.

    The service accepts a code once per account: a second sign-in of the same account within the
    same 30 seconds takes the next step's code (accepted: one step of clock drift is allowed)."""

    def __init__(self, secret: str = DEMO_TOTP_SECRET):
        self.totp = pyotp.TOTP(secret)
        self.last_step: dict[str, int] = {}

    def code_for(self, account: str) -> str:
        step = max(int(time.time()) // 30, self.last_step.get(account, -1) + 1)
        while step > int(time.time()) // 30 + 1:  # a third sign-in within one step: wait for the clock
            time.sleep(1)
        self.last_step[account] = step
        return self.totp.at(step * 30)


class Person:
    """One person in their own browser context (own cookies), with the problems their pages raised."""

    def __init__(
        self,
        *,
        label: str,
        context: BrowserContext,
        service_url: str,
        authenticator: Authenticator | None = None,
        browser_language: str = "fr",
    ):
        self.label = label
        self.browser_language = browser_language
        self.authenticator = authenticator or Authenticator()
        self.context = context
        self.service_url = service_url
        self.page = context.new_page()
        self.email = ""
        self.password = ""
        self.problems: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    def _on_response(self, response) -> None:
        if not response.url.startswith(self.service_url):
            return
        request = response.request
        # Pages may answer 4xx on purpose (404 to a stranger); their resources never should.
        if response.status >= 500 or (request.resource_type != "document" and response.status >= 400):
            self.problems.append(f"HTTP {response.status} on {request.method} {response.url}")

    @property
    def header_tools(self):
        # DSFR copies these tools into the small-screen menu: the visible originals are the ones used.
        return self.page.locator("header .fr-header__tools-links")

    @property
    def language(self) -> str:
        """The language the site must speak: the person's choice (cookie), else their browser's."""
        cookies = {cookie["name"]: cookie["value"] for cookie in self.context.cookies()}
        return cookies.get("django_language", self.browser_language)

    def goto(self, path: str):
        return self.page.goto(path)

    def switch_language(self, language: str) -> None:
        """With the header's switch, as a person does."""
        if self.page.url == "about:blank":
            self.goto("/")
        self.header_tools.locator(f'button[name="language"][value="{language}"]').click()
        expect(self.page.locator("html")).to_have_attribute("lang", language)

    def log_in(self, email: str, password: str, *, stop_at_second_factor: bool = False) -> None:
        """Password, then (staff) the code of the authenticator app, unless told to stop at that step."""
        self.email, self.password = email, password
        self.goto(reverse("accounts:login"))
        self.page.locator("input[name=username]").fill(email)
        self.page.locator("input[name=password]").fill(password)
        # The password form (FranceConnect and ProConnect have their own forms above it).
        self.page.locator("main form:has(input[name=password]) button[type=submit]").click()
        expect(self.header_tools.get_by_test_id("current-user")).to_be_visible()
        if self.asked_for_second_factor() and not stop_at_second_factor:
            self.enter_totp_code()

    def asked_for_second_factor(self) -> bool:
        return self.page.url.removeprefix(self.service_url).startswith(reverse("accounts:second_factor"))

    def enter_totp_code(self) -> None:
        self.page.locator("input[name=code]").fill(self.authenticator.code_for(self.email))
        self.page.locator("main form button[type=submit]").click()
        expect(self.page).not_to_have_url(re.compile(re.escape(reverse("accounts:second_factor"))))

    def log_out(self) -> None:
        self.header_tools.locator("form[action$='/deconnexion/'] button").click()
        expect(self.header_tools.get_by_test_id("current-user")).to_have_count(0)


@dataclass(frozen=True)
class Visit:
    step: str
    path: str


class VisitedPages:
    """Pages seen in French, by account, so that the English test looks at every one of them again."""

    def __init__(self):
        self.by_account: dict[tuple[str, str], list[Visit]] = {}

    def add(self, person: Person, url: str, step: str) -> None:
        path = url.removeprefix(person.service_url).split("#")[0]
        visits = self.by_account.setdefault((person.email, person.password), [])
        if all(visit.path != path for visit in visits):
            visits.append(Visit(step=step, path=path))


# Words only a French sentence holds; the names, addresses and messages typed in this journey have none.
FRENCH_ONLY = re.compile(r"\b(vous|votre|vos|êtes|être|demande|pièces?)\b", re.IGNORECASE)


def french_left(page) -> list[str]:
    """Texts shown on the page, outside the parts marked lang="fr" on purpose, that are still French."""
    texts = page.evaluate(
        """() => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const texts = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const parent = node.parentElement;
                if (!parent || parent.closest('body [lang="fr"], script, style') || !parent.checkVisibility()) continue;
                if (node.textContent.trim()) texts.push(node.textContent.trim());
            }
            return texts;
        }"""
    )
    return [text for text in texts if FRENCH_ONLY.search(text)]


def clipped_buttons(page) -> list[str]:
    """DSFR buttons whose text is cut off: an icon button shown without its label and without a title.

    axe cannot see it (the text is still in the page), but sighted people get an unlabelled icon."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.fr-btn')).filter(el => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.height > 0 && !el.title && el.textContent.trim()
                && el.scrollWidth > el.clientWidth + 2;
        }).map(el => el.outerHTML.slice(0, 200))"""
    )


PHONE_WIDTHS = (320, 390)  # the smallest phones still in use, and a common one


def wider_than_phones(page) -> list[str]:
    """At each phone width, whether the page is wider than the screen (the browser would then show
    it zoomed out, or scroll sideways), with the elements that stick out, for the message."""
    original = page.viewport_size
    found = []
    try:
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate(
                """() => {
                    const width = document.documentElement.clientWidth;
                    if (document.documentElement.scrollWidth <= width) return null;
                    const culprits = Array.from(document.querySelectorAll('body *')).filter(el => {
                        const box = el.getBoundingClientRect();
                        return box.width > 0 && box.right > width + 1
                            && !el.closest('.fr-table, .fr-sr-only, [hidden]')
                            && Array.from(el.children).every(child => child.getBoundingClientRect().right <= width + 1);
                    });
                    return {page: document.documentElement.scrollWidth,
                            culprits: culprits.slice(0, 3).map(el => el.outerHTML.slice(0, 160))};
                }"""
            )
            if overflow:
                found.append(f"{overflow['page']} px wide at {width} px: {overflow['culprits']}")
    finally:
        page.set_viewport_size(original)
    return found


class Journal:
    """Checks each page a test looks at and keeps its screenshot."""

    def __init__(self, folder: Path, visited: VisitedPages, notes: Path):
        self.folder = folder
        self.visited = visited
        self.notes = notes
        self.count = 0

    def note_minor(self, violations: list[dict], where: str) -> None:
        """Moderate and minor findings do not fail the test; they are listed for people to review."""
        minor = [violation for violation in violations if violation not in axe.blocking(violations)]
        if minor:
            with self.notes.open("a") as notes:
                notes.write(axe.report(minor, where=where) + "\n\n")

    def screenshot(self, person: Person, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        # Full-page shots of long pages can take over the actions' 20 s on a busy 2-core machine.
        person.page.screenshot(path=path, full_page=True, timeout=60_000)
        return path

    def problems(self, person: Person, step: str) -> list[str]:
        """What is wrong with the page in front of the person, as readable lines (empty: all good)."""
        page = person.page
        page.wait_for_load_state("load")
        shot = self.screenshot(person, step)
        where = f"{step} ({page.url}; screenshot {shot.relative_to(self.folder.parents[1])})"
        found = []
        language = page.locator("html").get_attribute("lang")
        if language != person.language:
            found.append(f"{where}: the page is in {language!r}, the person chose {person.language!r}")
        violations = axe.axe_violations(page)
        if axe.blocking(violations):
            found.append(axe.report(axe.blocking(violations), where=where))
        self.note_minor(violations, where)
        found.extend(
            f"{where}: button label hidden by the icon-only style: {html}" for html in clipped_buttons(page)
        )
        found.extend(f"{where}: wider than a phone, {problem}" for problem in wider_than_phones(page))
        found.extend(f"{where}: {problem}" for problem in person.problems)
        person.problems.clear()
        return found

    def check(self, person: Person, step: str, *, replay: bool = True) -> None:
        """Fails at once on any problem. Pages worth looking at again in English are remembered."""
        found = self.problems(person, step)
        assert not found, "\n".join(found)
        if replay and person.language == "fr":
            self.visited.add(person, person.page.url, step)
