"""Every decision told and signed, complements back to their agent (issue 15), as people live it:

an agent asks for a complement, the student answers, the file is back in the same agent's "Mes dossiers"
marked "complété, à revoir" (and the agent is e-mailed); the agent accepts; a supervisor revokes the
permit with a reason and lands back on the dossier; the student gets the e-mail, sees the revoked state
on her page (no permit PDF, no renewal) and downloads the signed decision letter, which pdfsig accepts."""

import json
import re
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

from .decisions_data import STUDENT_EMAIL, STUDENT_PASSWORD

pytestmark = pytest.mark.xdist_group("decisions")

PARIS_AGENT = "agent.paris@workinfrance.test"
PARIS_SUPERVISOR = "responsable.paris@workinfrance.test"
COMPLEMENT = "Merci de confirmer l'adresse du lieu de travail, puis de renvoyer le dossier."
REASON = "Contrat rompu pendant la période d'essai (courrier de l'employeur du 3 novembre)."


@pytest.fixture(scope="module")
def filed(service, signing_key):
    return json.loads(service.python("from tests.e2e.decisions_data import seed; seed()"))


def test_complement_back_to_its_agent_then_revocation_told_and_signed(
    open_person, journal, mailbox, filed, tmp_path
):
    number, uuid = filed["number"], filed["uuid"]
    screen_path = reverse("backoffice:dossier", kwargs={"uuid": uuid})
    tracking_path = reverse("applicant:dossier", kwargs={"uuid": uuid})

    # The agent asks for a complement.
    agent = open_person("Paris agent")
    agent.log_in(PARIS_AGENT, DEMO_PASSWORD)
    page = agent.page
    agent.goto(screen_path)
    expect(page.get_by_test_id("dossier-state")).to_contain_text("En cours d'instruction")
    actions = page.get_by_test_id("actions")
    actions.locator("summary", has_text="Demander des compléments").click()
    actions.get_by_label("Message au demandeur").fill(COMPLEMENT)
    actions.get_by_role("button", name="Demander des compléments").click()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("Compléments demandés")
    journal.check(agent, "decisions-complements-asked", replay=False)

    # The student answers from her page.
    student = open_person("student")
    student.log_in(STUDENT_EMAIL, STUDENT_PASSWORD)
    student.goto(tracking_path)
    expect(student.page.locator("#complements")).to_contain_text(COMPLEMENT)
    student.page.get_by_role("button", name="Renvoyer le dossier complété").click()
    expect(student.page.locator("#status")).to_contain_text("En cours d'instruction")
    journal.check(student, "decisions-resubmitted", replay=False)

    # Back with the same agent, told by e-mail, in "Mes dossiers" marked to review (not "À prendre").
    mail = mailbox.wait_for(PARIS_AGENT, subject_contains="complété, à revoir")
    assert number in mail.subject
    assert any(link.endswith(screen_path) for link in mail.links()), mail.body
    agent.goto(f"{reverse('backoffice:inbox')}?tab=mine")
    row = page.get_by_test_id("inbox-row").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("returned")).to_have_text("Complété, à revoir")
    journal.check(agent, "decisions-mine-to-review", replay=False)
    agent.goto(f"{reverse('backoffice:inbox')}?tab=to_take")
    expect(page.get_by_test_id("inbox-row").filter(has_text=number)).to_have_count(0)

    # The agent accepts, straight from review (no need to take it again).
    agent.goto(screen_path)
    expect(page.get_by_test_id("returned")).to_be_visible()
    actions.locator("summary", has_text="Accepter et délivrer l'autorisation").click()
    actions.get_by_role("button", name="Accepter et délivrer l'autorisation").click()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("Accepté")
    journal.check(agent, "decisions-accepted", replay=False)

    # A supervisor revokes the permit with a reason, and is back on the dossier's screen.
    supervisor = open_person("Paris supervisor")
    supervisor.log_in(PARIS_SUPERVISOR, DEMO_PASSWORD)
    supervisor.goto(screen_path)
    supervisor.page.get_by_role("link", name="Retirer l'autorisation").click()
    supervisor.page.get_by_label("Motif du retrait").fill(REASON)
    journal.check(supervisor, "decisions-revoke-form", replay=False)
    supervisor.page.get_by_role("button", name="Retirer l'autorisation").click()
    expect(supervisor.page).to_have_url(re.compile(re.escape(screen_path) + "$"))
    expect(supervisor.page.get_by_text(re.compile(r"L'autorisation APT-[\w-]+ est retirée"))).to_be_visible()
    expect(supervisor.page.get_by_test_id("permit-status")).to_contain_text("Retirée")
    expect(supervisor.page.get_by_test_id("decision-letters")).to_contain_text("Retrait d'autorisation")
    journal.check(supervisor, "decisions-revoked-dossier", replay=False)

    # The student is told why, by e-mail, and her page says so: no permit PDF, no renewal.
    mail = mailbox.wait_for(STUDENT_EMAIL, subject_contains="autorisation révoquée")
    assert REASON in mail.body and number in mail.subject
    assert "&#" not in mail.body and "&amp;" not in mail.body
    [link] = [url for url in mail.links() if url.endswith(tracking_path)]
    student.goto(link)
    status = student.page.locator("#status")
    expect(status).to_contain_text("Autorisation révoquée le")
    expect(status).to_contain_text(REASON)
    expect(student.page.get_by_text("Autorisation révoquée", exact=True)).to_be_visible()  # the badge
    expect(student.page.locator(".wif-timeline")).to_contain_text("révoquée")
    expect(student.page.get_by_role("link", name="Télécharger l'autorisation (PDF)")).to_have_count(0)
    expect(student.page.get_by_role("button", name="Demander le renouvellement")).to_have_count(0)
    journal.check(student, "decisions-revoked-page", replay=False)

    # She downloads the signed decision letter.
    with student.page.expect_download() as download:
        student.page.get_by_test_id("decision-letters").get_by_role("link").first.click()
    letter = tmp_path / "decision.pdf"
    download.value.save_as(letter)
    signature = subprocess.run(["pdfsig", str(letter)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in signature, signature
    text = re.sub(
        r"\s+",
        " ",
        subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True, timeout=60).stdout,
    )
    assert "Décision de retrait" in text and "Voies et délais de recours" in text
    assert "Contrat rompu pendant la période d'essai" in text
