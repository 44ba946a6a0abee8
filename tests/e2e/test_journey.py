"""The whole journey, as people live it, in order: each test continues where the previous one stopped.

1. a student finds the guide, signs up, confirms the e-mail, files a dossier with real uploads;
2. an agent of the unit takes it and asks for a complement; the student answers; the agent accepts;
3. the student downloads the permit; its QR code leads to the verification page; a supervisor revokes it;
4. the same pages again, in English;
5. an agent of another unit cannot reach the dossier.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

STUDENT_EMAIL = "amina.haddad@example.test"
STUDENT_PASSWORD = "Mon-mot-de-passe-2026"


@dataclass
class Journey:
    """What a step leaves for the next ones."""

    files: Path
    student_confirmed: bool = False
    dossier_path: str = ""
    dossier_number: str = ""


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    return Journey(files=tmp_path_factory.mktemp("files"))


def previous_step(done, what: str) -> None:
    assert done, f"This step continues the journey: {what} did not happen (see the failure above)."


def test_1_student_signs_up_confirms_and_files(open_person, journal, mailbox, journey):
    student = open_person("student")
    page = student.page
    student.goto(reverse("core:home"))
    journal.check(student, "home")

    # Sign-up: a mistake first, then the real thing.
    page.get_by_role("main").get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Prénom").fill("Amina")
    page.get_by_label("Nom", exact=True).fill("Haddad")
    page.get_by_label("Adresse e-mail").fill(STUDENT_EMAIL)
    page.locator("input[name=password1]").fill(STUDENT_PASSWORD)
    page.locator("input[name=password2]").fill("Autre-mot-de-passe-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("Les deux mots de passe ne correspondent pas.")).to_be_visible()
    journal.check(student, "signup-refused", replay=False)
    page.locator("input[name=password1]").fill(STUDENT_PASSWORD)
    page.locator("input[name=password2]").fill(STUDENT_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    journal.check(student, "signup-done", replay=False)

    # The confirmation link, read from the mailbox, activates the account.
    mail = mailbox.wait_for(STUDENT_EMAIL, subject_contains="Confirmez votre adresse e-mail")
    [link] = [url for url in mail.links() if "/comptes/confirmer/" in url]
    assert link.startswith(student.service_url)
    student.goto(link)
    expect(page.get_by_text("Votre adresse e-mail est confirmée")).to_be_visible()
    journal.check(student, "email-confirmed", replay=False)
    student.log_in(STUDENT_EMAIL, STUDENT_PASSWORD)
    journey.student_confirmed = True
    expect(page).to_have_url(re.compile(re.escape(reverse("applicant:dashboard")) + "$"))
    journal.check(student, "dashboard")


def test_5_an_agent_of_another_unit_cannot_reach_the_dossier(open_person, journal, journey):
    previous_step(journey.dossier_path, "the filing of the dossier")
    lyon_agent = open_person("lyon agent")
    lyon_agent.log_in("agent.lyon@workinfrance.test", DEMO_PASSWORD)
    journal.check(lyon_agent, "inbox")
