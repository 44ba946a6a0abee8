"""An agent asks another service's opinion sharing one document; the expert opens the e-mailed link,
reads the document, answers without an account; the agent finds the answer on the dossier screen and
in its history. Also: the unit's message template fills the message box (JavaScript)."""

import json
import re

from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

PARIS_AGENT = "agent.paris@workinfrance.test"
EXPERT = "etrangers@prefecture-exemple.test"
QUESTION = "Le titre de séjour de l'étudiante est-il toujours valable ?"
ANSWER = "Titre de séjour valable jusqu'au 30 septembre 2027, aucune procédure en cours."

SEED = """
import json
from tests.factories import UserFactory, complete_draft
from workinfrance.accounts.models import User
from workinfrance.dossiers import services
from workinfrance.dossiers.models import MessageTemplate
from workinfrance.territories.models import Department
applicant = UserFactory(email="etudiante.avis@workinfrance.test")
dossier = complete_draft(
    applicant=applicant,
    department=Department.objects.get(code="75"),
    student_first_name="Yasmine",
    student_last_name="Belkacem",
    employer_name="Librairie des Écoles",
)
services.dossier_submit(dossier=dossier, actor=applicant)
agent = User.objects.get(email="agent.paris@workinfrance.test")
services.dossier_take(dossier=dossier, actor=agent)
MessageTemplate.objects.get_or_create(
    unit=dossier.unit, title="Pièce illisible", defaults={"body": "Bonjour, la pièce déposée est illisible."}
)
print(json.dumps({"uuid": str(dossier.uuid), "number": dossier.number}))
"""


def test_an_expert_answers_an_opinion_request_through_the_link(open_person, journal, mailbox, service):
    seeded = json.loads(service.python(SEED).strip().splitlines()[-1])
    number, dossier_path = seeded["number"], reverse("backoffice:dossier", kwargs={"uuid": seeded["uuid"]})

    agent = open_person("Paris agent")
    agent.log_in(PARIS_AGENT, DEMO_PASSWORD)
    page = agent.page
    agent.goto(dossier_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {number}")

    # The unit's template fills the message box in place (JavaScript), ready to be adapted.
    picker = page.get_by_test_id("template-picker-message")
    picker.get_by_label("Modèle de message de l'unité").select_option(label="Pièce illisible")
    picker.get_by_role("button", name="Utiliser ce modèle").click()
    expect(page.locator("#id_message-body")).to_have_value("Bonjour, la pièce déposée est illisible.")
    expect(page).to_have_url(re.compile(re.escape(dossier_path) + "$"))  # no reload
    page.locator("#id_message-body").fill("")

    # The agent asks the prefecture, sharing the residence permit section and one document.
    section = page.locator("#avis")
    section.locator("summary", has_text="Demander un avis").click()
    section.locator("#id_opinion-expert_email").fill(EXPERT)
    section.locator("#id_opinion-question").fill(QUESTION)
    residence = section.locator("input[name=opinion-sections][value=residence]")
    section.locator(f"label[for={residence.get_attribute('id')}]").click()
    shared = section.locator("input[name=opinion-documents]").first
    shared_label = section.locator(f"label[for={shared.get_attribute('id')}]")
    shared_name = shared_label.inner_text().split("—")[-1].strip()
    shared_label.click()
    journal.check(agent, "opinion-form", replay=False)
    section.get_by_role("button", name="Envoyer la demande d'avis").click()
    expect(page.get_by_text(f"La demande d'avis a été envoyée à {EXPERT}")).to_be_visible()
    opinion = page.get_by_test_id("opinion")
    expect(opinion).to_contain_text("En attente de réponse")
    expect(opinion).to_contain_text(QUESTION)
    journal.check(agent, "opinion-asked", replay=False)

    # The expert follows the e-mailed link: no account, only what was shared.
    mail = mailbox.wait_for(EXPERT, subject_contains=number)
    assert QUESTION not in mail.body  # the question stays behind the link
    [link] = [url for url in mail.links() if "/avis/" in url]
    expert = open_person("expert")
    expert.goto(link)
    expert_page = expert.page
    expect(expert_page.get_by_role("heading", level=1)).to_have_text(
        f"Demande d'avis sur le dossier {number}"
    )
    expect(expert_page.get_by_test_id("opinion-question")).to_have_text(QUESTION)
    expect(expert_page.get_by_role("heading", name="Titre de séjour", exact=True)).to_be_visible()
    expect(expert_page.get_by_role("heading", name="Employeur", exact=True)).to_have_count(0)
    expect(expert_page.locator("body")).not_to_contain_text("Librairie des Écoles")
    expect(expert_page.get_by_test_id("opinion-document")).to_have_count(1)
    journal.check(expert, "expert-request", replay=False)
    with expert_page.expect_download() as download_info:
        expert_page.get_by_test_id("opinion-document").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert shared_name.rsplit(".", 1)[0] in download.suggested_filename
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"

    expert_page.locator("#id_answer").fill(ANSWER)
    expert_page.get_by_role("button", name="Envoyer mon avis").click()
    expect(expert_page.get_by_test_id("opinion-answered")).to_contain_text("Votre avis a bien été transmis")
    expect(expert_page.locator("body")).to_contain_text(ANSWER)
    expect(expert_page.get_by_test_id("opinion-document")).to_have_count(0)
    journal.check(expert, "expert-answered", replay=False)
    # No session was ever opened for the expert.
    assert "sessionid" not in {cookie["name"] for cookie in expert.context.cookies()}

    # The agent is told by e-mail and finds the answer on the screen and in the history.
    mailbox.wait_for(PARIS_AGENT, subject_contains=f"Avis reçu sur le dossier {number}")
    agent.goto(dossier_path)
    expect(page.get_by_test_id("opinion-answer")).to_contain_text(ANSWER)
    expect(page.get_by_test_id("opinion")).to_contain_text("Répondu")
    history = page.get_by_role("table", name=re.compile("Actions sur le dossier"))
    for label in (
        "Demande d'avis",
        "Demande d'avis consultée par l'expert",
        "Pièce téléchargée par l'expert",
        "Avis reçu",
    ):
        expect(history).to_contain_text(label)
    journal.check(agent, "opinion-answered", replay=False)
