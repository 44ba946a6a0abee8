"""The agent's workspace (issue 16), in one journey: a supervisor creates a label; an agent puts it
on a dossier, filters the inbox by it, saves that filter, then takes five dossiers in one batch and
reads the result of each. Every page through `Journal.check` (axe: no serious or critical finding)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.xdist_group("workspace")

PARIS_AGENT = "agent.paris@workinfrance.test"
PARIS_SUPERVISOR = "responsable.paris@workinfrance.test"
LABEL = "Prioritaire"

SEED = """
import secrets

from tests.factories import UserFactory, complete_draft
from workinfrance.dossiers import services
from workinfrance.territories.models import Department

department = Department.objects.get(code="75")
# Own addresses: the factories' sequences start again in this process, other journeys' users exist.
batch = secrets.token_hex(4)
for index in range(6):
    applicant = UserFactory(email=f"lotier{index}.{batch}@example.test")
    dossier = complete_draft(applicant=applicant, department=department, student_last_name=f"Lotier{index}")
    services.dossier_submit(dossier=dossier, actor=dossier.applicant)
    print(dossier.number)
"""


def test_labels_filters_and_a_batch_take(service, signing_key, open_person, journal):
    numbers = service.python(SEED).split()
    assert len(numbers) == 6

    # The supervisor defines the unit's label.
    supervisor = open_person("supervisor")
    supervisor.log_in(PARIS_SUPERVISOR, DEMO_PASSWORD)
    supervisor.goto(reverse("backoffice:labels"))
    page = supervisor.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Étiquettes de l'unité")
    journal.check(supervisor, "labels-empty")
    page.get_by_label("Nom de l'étiquette").fill(LABEL)
    page.get_by_label("Couleur").select_option("pink-tuile")
    page.get_by_role("button", name="Créer l'étiquette").click()
    expect(page.get_by_test_id("label-row")).to_have_count(1)
    expect(page.get_by_test_id("label-row")).to_contain_text(LABEL)
    journal.check(supervisor, "labels-created")
    supervisor.log_out()

    # The agent sees the tabs with their counts, the active one marked.
    agent = open_person("agent")
    agent.log_in(PARIS_AGENT, DEMO_PASSWORD)
    agent.goto(reverse("backoffice:inbox"))
    page = agent.page
    to_take = page.get_by_test_id("tab-to_take")
    expect(to_take).to_have_attribute("aria-current", "page")
    expect(to_take.locator(".wif-tab-count")).to_have_text(re.compile(r"^\d+$"))
    journal.check(agent, "inbox-tabs")

    # Labels a dossier from its screen.
    page.get_by_role("link", name=numbers[0]).click()
    page.get_by_label("Ajouter une étiquette").select_option(label=LABEL)
    page.locator("#labels").get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("button", name=f"Retirer l'étiquette {LABEL}")).to_be_visible()
    journal.check(agent, "dossier-labelled")

    # Filters the inbox by the label, and keeps that filter.
    agent.goto(reverse("backoffice:inbox") + "?tab=all")
    page.locator("#id_label").select_option(label=LABEL)  # the filter (the batch has its own)
    page.get_by_role("button", name="Appliquer").click()
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(numbers[0])
    expect(rows.first.locator(".fr-badge--pink-tuile")).to_have_text(LABEL)
    journal.check(agent, "inbox-filtered-by-label")
    page.get_by_text("Enregistrer ou supprimer un filtre").click()
    page.get_by_label("Nom du filtre (les filtres actuels)").fill("Mes prioritaires")
    page.get_by_role("button", name="Enregistrer ce filtre").click()
    saved = page.get_by_test_id("saved-filter")
    expect(saved).to_have_text("Mes prioritaires")
    agent.goto(reverse("backoffice:inbox"))
    saved.click()
    expect(page.get_by_test_id("inbox-row")).to_have_count(1)

    # Takes five dossiers in one batch and reads the result of each.
    agent.goto(reverse("backoffice:inbox") + "?tab=to_take")
    for number in numbers[1:6]:
        page.get_by_label(f"Sélectionner {number}").check()
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_test_id("batch-summary")).to_have_text("5 fait(s), 0 refusé(s) sur 5.")
    items = page.get_by_test_id("batch-item")
    expect(items).to_have_count(5)
    for index in range(5):
        expect(items.nth(index)).to_contain_text("Fait")
    expect(page.locator("#batch-progress progress")).to_have_attribute("value", "5")
    journal.check(agent, "batch-take-done")
    agent.goto(reverse("backoffice:inbox") + "?tab=mine")
    mine = page.get_by_test_id("inbox-row")
    # The five taken are the agent's now (other journeys may have given this demo agent others).
    for number in numbers[1:6]:
        expect(mine.filter(has_text=number)).to_have_count(1)
    expect(page.get_by_test_id("tab-mine")).to_have_attribute("aria-current", "page")
    journal.check(agent, "inbox-mine-after-batch")
