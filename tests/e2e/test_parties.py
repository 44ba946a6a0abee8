"""Co-applicants (issue 15), in one journey: an employer files and invites the student by e-mail; the
student signs up from the invitation, joins, completes her part (the employer's part is shown to her
read-only) and submits; an agent accepts; both are told by e-mail and download the permit."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

from .documents import jpeg_file, pdf_file
from .test_journey import PARIS_AGENT, pick, upload_row

pytestmark = pytest.mark.xdist_group("parties")

EMPLOYER_EMAIL = "rh@atelier-durand.test"
STUDENT_EMAIL = "lina.benali@example.test"
PASSWORD = "Un-mot-de-passe-2026"


def sign_up(person, journal, mailbox, *, first_name: str, last_name: str, email: str) -> None:
    """Sign-up, e-mail confirmation, sign-in: the way test_journey's student does it."""
    page = person.page
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Nom", exact=True).fill(last_name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez votre adresse e-mail")
    mail = mailbox.wait_for(email, subject_contains="Confirmez votre adresse e-mail")
    [link] = [url for url in mail.links() if "/comptes/confirmer/" in url]
    person.goto(link)
    expect(page.get_by_text("Votre adresse e-mail est confirmée")).to_be_visible()
    person.log_in(email, PASSWORD)


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()


def upload(page, label: str, path) -> None:
    row = upload_row(page, label)
    row.locator("input[type=file]").set_input_files(path)
    row.get_by_role("button", name=re.compile("(Envoyer les|Ajouter des) fichiers")).click()
    expect(page.get_by_text(f"« {label} » : fichier enregistré ({path.name}).")).to_be_visible()


def test_employer_invites_the_student_both_follow_the_dossier_to_the_permit(
    open_person, journal, mailbox, signing_key, tmp_path
):
    today = datetime.date.today()

    # The employer signs up and files: its own part (company, contract, job) and the contract.
    employer = open_person("employer")
    employer.goto(reverse("accounts:signup"))
    sign_up(employer, journal, mailbox, first_name="Jean", last_name="Durand", email=EMPLOYER_EMAIL)
    page = employer.page
    page.get_by_role("link", name="Nouvelle demande").click()
    pick(page, "filer_kind", "employer")
    apprenticeship = page.get_by_role("radio", name="Contrat d'apprentissage")
    page.locator(f"label[for={apprenticeship.get_attribute('id')}]").click()
    journal.check(employer, "employer-filer-step", replay=False)
    save_and_continue(page)
    expect(page).to_have_url(re.compile("/etapes/student/$"))
    journal.check(employer, "employer-student-step-before-joining", replay=False)
    # The student's part is hers to fill: the employer leaves it empty.
    save_and_continue(page)
    expect(page).to_have_url(re.compile("/etapes/residence/$"))
    journal.check(employer, "employer-residence-step", replay=False)
    save_and_continue(page)
    expect(page).to_have_url(re.compile("/etapes/employer/$"))
    page.locator("[name=employer_name]").fill("Atelier Durand SARL")
    page.locator("[name=employer_siret]").fill("732 829 320 00074")
    page.locator("[name=employer_address]").fill("8 rue Mouffetard")
    page.locator("[name=employer_postcode]").fill("75005")
    page.locator("[name=employer_city]").fill("Paris")
    page.locator("[name=employer_representative]").fill("Jean Durand")
    page.locator("[name=employer_contact_email]").fill(EMPLOYER_EMAIL)
    journal.check(employer, "employer-employer-step", replay=False)
    save_and_continue(page)
    expect(page).to_have_url(re.compile("/etapes/job/$"))
    journal.check(employer, "employer-job-step", replay=False)
    page.locator("[name=job_title]").fill("Apprentie ébéniste")
    page.locator("[name=work_address]").fill("8 rue Mouffetard, 75005 Paris")
    page.locator("[name=contract_type]").select_option("apprenticeship")
    page.locator("[name=contract_start]").fill((today + datetime.timedelta(days=15)).isoformat())
    page.locator("[name=contract_end]").fill((today + datetime.timedelta(days=380)).isoformat())
    page.locator("[name=weekly_hours]").fill("35")
    page.locator("[name=gross_monthly_salary]").fill("1100")
    save_and_continue(page)
    # Filed by the employer itself: no mandate step.
    expect(page).to_have_url(re.compile("/etapes/documents/$"))
    journal.check(employer, "employer-documents-step", replay=False)
    upload(page, "Contrat de travail ou promesse d'embauche", pdf_file(tmp_path, "contrat.pdf", "Contrat"))
    # The checklist of documents prints in either language.
    with page.expect_download() as download:
        page.get_by_role("link", name="Liste des pièces à imprimer (PDF, en français)").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # From the dossier page, the employer invites the student.
    employer.goto(reverse("applicant:dashboard"))
    page.get_by_role("link", name="Brouillon").first.click()
    dossier_path = page.url.removeprefix(employer.service_url).split("#")[0]
    uuid = dossier_path.rstrip("/").rsplit("/", 1)[1]
    parties = page.locator("#parties")
    expect(parties).to_contain_text("Jean Durand")
    journal.check(employer, "employer-dossier-draft", replay=False)
    parties.get_by_label("Adresse e-mail de la personne à inviter").fill(STUDENT_EMAIL)
    parties.get_by_role("button", name=re.compile("Envoyer l'invitation")).click()
    expect(page.get_by_text(f"Invitation envoyée à {STUDENT_EMAIL}. Le lien est valable")).to_be_visible()
    expect(parties).to_contain_text(f"Invitation envoyée à {STUDENT_EMAIL} le")
    journal.check(employer, "employer-invitation-sent", replay=False)

    # The student gets the e-mail, opens the link, signs up from there and comes back to it.
    mail = mailbox.wait_for(STUDENT_EMAIL, subject_contains="Invitation")
    [link] = {url for url in mail.links() if "/invitation/" in url}  # in French, then in English
    student = open_person("student")
    student.goto(link)
    spage = student.page
    expect(spage.get_by_role("heading", level=1)).to_have_text("Invitation à rejoindre un dossier")
    expect(spage.get_by_role("main")).to_contain_text("Jean Durand vous invite")
    journal.check(student, "invitation-anonymous", replay=False)
    spage.get_by_role("main").get_by_role("link", name="Créer un compte").click()
    sign_up(student, journal, mailbox, first_name="Lina", last_name="Benali", email=STUDENT_EMAIL)
    # Signed in: the dashboard sends her back to the invitation she opened.
    expect(spage).to_have_url(re.compile("/invitation/"))
    journal.check(student, "invitation-signed-in", replay=False)
    spage.get_by_role("button", name="Accepter l'invitation").click()
    expect(spage.get_by_text("Vous avez rejoint le dossier.")).to_be_visible()
    expect(spage).to_have_url(re.compile(re.escape(dossier_path)))
    expect(spage.locator("#parties")).to_contain_text("Lina Benali")
    journal.check(student, "student-dossier-joined", replay=False)

    # A used link says so.
    student.goto(link)
    expect(spage.locator("#invitation-error")).to_contain_text("déjà été utilisée")
    journal.check(student, "invitation-used", replay=False)

    # She completes her part; the employer's part is shown to her, read-only.
    def step(slug):
        return reverse("applicant:step", kwargs={"uuid": uuid, "step": slug})

    student.goto(step("student"))
    spage.locator("[name=student_first_name]").fill("Lina")
    spage.locator("[name=student_last_name]").fill("Benali")
    spage.locator("[name=student_birth_date]").fill("2003-06-02")
    spage.locator("[name=student_birth_place]").fill("Tunis (Tunisie)")
    spage.locator("[name=student_nationality]").fill("tunisienne")
    spage.locator("[name=student_email]").fill(STUDENT_EMAIL)
    spage.locator("[name=student_address]").fill("5 rue Monge")
    spage.locator("[name=student_postcode]").fill("75005")
    spage.locator("[name=student_city]").fill("Paris")
    spage.locator("[name=institution_name]").fill("École Boulle")
    spage.locator("[name=enrolment_programme]").fill("DN MADE ébénisterie")
    spage.locator("[name=enrolment_year]").fill("2026-2027")
    journal.check(student, "student-step", replay=False)
    save_and_continue(spage)
    expect(spage).to_have_url(re.compile("/etapes/residence/$"))
    journal.check(student, "student-residence-step", replay=False)
    spage.locator("[name=residence_permit_type]").select_option("student_card")
    spage.locator("[name=residence_permit_number]").fill("7509876543")
    spage.locator("[name=residence_permit_start]").fill((today - datetime.timedelta(days=100)).isoformat())
    spage.locator("[name=residence_permit_end]").fill((today + datetime.timedelta(days=600)).isoformat())
    spage.locator("[name=residence_permit_prefecture]").fill("Préfecture de police de Paris")
    department = spage.locator("[name=department]")
    department.select_option(department.locator("option", has_text="75 – Paris").get_attribute("value"))
    save_and_continue(spage)
    expect(spage).to_have_url(re.compile("/etapes/employer/$"))
    expect(spage.locator("#read-only-note")).to_contain_text("remplie par l'employeur")
    expect(spage.get_by_role("main")).to_contain_text("Atelier Durand SARL")
    expect(spage.locator("[name=employer_name]")).to_have_count(0)
    journal.check(student, "student-employer-step-read-only", replay=False)
    spage.get_by_role("link", name="Continuer", exact=True).click()
    expect(spage).to_have_url(re.compile("/etapes/job/$"))
    expect(spage.locator("#read-only-note")).to_be_visible()
    journal.check(student, "student-job-step-read-only", replay=False)
    spage.get_by_role("link", name="Continuer", exact=True).click()
    expect(spage).to_have_url(re.compile("/etapes/documents/$"))
    upload(
        spage,
        "Justificatif d'inscription pour l'année en cours",
        pdf_file(tmp_path, "inscription.pdf", "Boulle"),
    )
    upload(spage, "Titre de séjour recto verso", jpeg_file(tmp_path, "titre.jpg", "Titre de sejour"))
    upload(spage, "Passeport (pages d'identité)", jpeg_file(tmp_path, "passeport.jpg", "Passeport"))
    journal.check(student, "student-documents", replay=False)
    spage.get_by_role("link", name="Continuer vers la vérification").click()
    expect(spage.get_by_role("heading", name="Votre dossier est complet")).to_be_visible()
    journal.check(student, "student-review", replay=False)
    spage.get_by_role("button", name="Déposer ma demande").click()
    expect(spage.get_by_text("Votre dossier est déposé sous le numéro")).to_be_visible()
    number = re.search(r"WIF-\d{4}-75-\d+", spage.get_by_role("main").inner_text()).group(0)
    journal.check(student, "student-dossier-submitted", replay=False)

    # Both are told of the submission.
    for address in (STUDENT_EMAIL, EMPLOYER_EMAIL):
        mailbox.wait_for(address, subject_contains=number)

    # The employer now reads the student's part on the dossier's page.
    employer.goto(dossier_path)
    expect(page.locator("#status")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Lina BENALI")
    journal.check(employer, "employer-dossier-submitted", replay=False)

    # An agent of the unit takes it and accepts (as in test_journey).
    agent = open_person("Paris agent")
    agent.log_in(PARIS_AGENT, DEMO_PASSWORD)
    apage = agent.page
    agent.goto(reverse("backoffice:inbox"))
    apage.get_by_test_id("inbox-row").filter(has_text=number).get_by_role("link", name=number).click()
    expect(apage.get_by_role("heading", level=1)).to_have_text(f"Dossier {number}")
    apage.get_by_role("button", name="Prendre en charge").click()
    expect(apage.get_by_test_id("dossier-state")).to_contain_text("En cours d'instruction")
    actions = apage.get_by_test_id("actions")
    actions.locator("summary", has_text="Accepter et délivrer l'autorisation").click()
    actions.get_by_role("button", name="Accepter et délivrer l'autorisation").click()
    expect(apage.get_by_test_id("dossier-state")).to_contain_text("Accepté")
    journal.check(agent, "agent-dossier-accepted", replay=False)

    # Both get the decision by e-mail, see it on the dossier's page and download the permit.
    for person, address in ((student, STUDENT_EMAIL), (employer, EMPLOYER_EMAIL)):
        mail = mailbox.wait_for(address, subject_contains="Accepté")
        assert number in mail.subject and any(url.endswith(dossier_path) for url in mail.links()), mail.body
        person.goto(dossier_path)
        expect(person.page.locator("#status")).to_contain_text(
            "l'autorisation provisoire de travail est délivrée"
        )
        journal.check(person, f"{person.label}-dossier-accepted", replay=False)
        with person.page.expect_download() as download:
            person.page.get_by_role("link", name="Télécharger l'autorisation (PDF)").click()
        saved = tmp_path / f"autorisation-{person.label}.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        person.goto(reverse("applicant:dashboard"))
        expect(person.page.get_by_role("row").filter(has_text=number)).to_contain_text("Accepté")
        journal.check(person, f"{person.label}-dashboard", replay=False)
