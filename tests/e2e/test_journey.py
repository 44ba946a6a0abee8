"""The whole journey, as people live it, in order: each test continues where the previous one stopped.

1. a student finds the guide, signs up, confirms the e-mail, files a dossier with real uploads;
2. an agent of the unit (password, then the code of the authenticator app) takes it and asks for a
   complement; the student answers; the agent accepts;
3. the student downloads the permit; its QR code leads to the verification page; a supervisor revokes it;
4. an agent of another unit cannot reach the dossier, nor its documents or permit;
5. every page seen so far, again in English, and a newcomer's first steps in English.
"""

import datetime
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.urls import reverse
from playwright.sync_api import expect

from workinfrance.core.demo import DEMO_PASSWORD

from .documents import jpeg_file, pdf_file
from .keyboard import KeyboardUser

# The steps share one story: keep them on one worker when run with pytest-xdist (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("journey")

STUDENT_EMAIL = "amina.haddad@example.test"
STUDENT_PASSWORD = "Mon-mot-de-passe-2026"
NEWCOMER_EMAIL = "nguyen.vanan@example.test"
PARIS_AGENT = "agent.paris@workinfrance.test"
PARIS_SUPERVISOR = "responsable.paris@workinfrance.test"
LYON_AGENT = "agent.lyon@workinfrance.test"
LYON_SUPERVISOR = "responsable.lyon@workinfrance.test"
COMPLEMENT_MESSAGE = (
    "Le contrat transmis n'est pas signé : merci de déposer le contrat signé par les deux parties."
)


@dataclass
class Journey:
    """What a step leaves for the next ones."""

    files: Path
    dossier_path: str = ""
    dossier_number: str = ""
    accepted: bool = False
    document_paths: tuple[str, ...] = ()
    permit_number: str = ""
    permit_revoked: bool = False
    other_unit_checked: bool = False


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    return Journey(files=tmp_path_factory.mktemp("files"))


def previous_step(done, what: str) -> None:
    assert done, f"This step continues the journey: {what} did not happen (see the failure above)."


def test_1_student_finds_the_guide_signs_up_and_files(open_person, journal, mailbox, journey):
    student = open_person("student")
    page = student.page
    student.goto(reverse("core:home"))
    journal.check(student, "home")

    # The guide, without an account: is a permit needed, where, with which documents?
    page.get_by_role("link", name="Commencer par le guide").click()
    journal.check(student, "guide")
    pick(page, "filer_kind", "student")
    pick(page, "situation", "apprenticeship")
    page.locator("select[name=department]").select_option(label="75 – Paris")
    page.get_by_role("button", name="Voir le résultat").click()
    expect(
        page.get_by_role("heading", name=re.compile("autorisation provisoire de travail est nécessaire"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="La demande se fait en ligne")).to_be_visible()
    documents = page.get_by_role("heading", name="Les documents à préparer").locator(
        "xpath=following-sibling::ul[1]"
    )
    for label in (
        "Contrat de travail ou promesse d'embauche",
        "Titre de séjour recto verso",
        "Passeport (pages d'identité)",
    ):
        expect(documents).to_contain_text(label)
    journal.check(student, "guide-result")

    # Sign-up from the guide: a mistake first, then the real thing.
    page.get_by_role("link", name="Créer un compte pour déposer la demande").click()
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
    expect(page).to_have_url(re.compile(re.escape(reverse("applicant:dashboard")) + "$"))
    journal.check(student, "dashboard-empty", replay=False)

    # The filing form, with the keyboard only (see below).
    page.get_by_role("link", name="Nouvelle demande").click()
    file_with_the_keyboard(student, journal, journey)
    journal.check(student, "dossier-submitted")

    mail = mailbox.wait_for(STUDENT_EMAIL, subject_contains=journey.dossier_number)
    assert any(link.endswith(journey.dossier_path) for link in mail.links()), mail.body


def pick(page, name: str, value: str) -> None:
    """A DSFR radio button is chosen by clicking its label, as people do (the input itself is hidden)."""
    radio = page.locator(f"input[type=radio][name={name}][value={value}]")
    page.locator(f"label[for={radio.get_attribute('id')}]").click()
    expect(radio).to_be_checked()


def upload_row(page, label: str):
    """The block of the documents step for one document type."""
    return page.locator("div.fr-mb-4w").filter(has=page.get_by_role("heading", name=label))


def file_with_the_keyboard(student, journal, journey) -> None:
    """Every step of the filing form, from the first one to the submission, without the mouse.

    Each page starts with the skip link (Tab, Enter), then Tab / Shift+Tab between fields."""
    page = student.page
    keys = KeyboardUser(page)
    today = datetime.date.today()

    def field(name):
        return page.locator(f"[name={name}]")

    def arrive(slug, step):
        # The fragment of the skip link (#content) follows the redirections: browsers keep it.
        expect(page).to_have_url(re.compile(f"/etapes/{slug}/(#content)?$"))
        journal.check(student, step, replay=False)
        keys.skip_to_content()

    def save_and_continue():
        # Waits for the page the server answers: a step refused stays at the same address, and the
        # autosave may already have marked the field invalid on the page being left.
        with page.expect_navigation():
            keys.press(page.get_by_role("button", name="Enregistrer et continuer"))

    # Who files, and why. (The English test files a request of its own: these pages are not replayed.)
    journal.check(student, "filing-1-filer", replay=False)
    keys.skip_to_content()
    keys.choose_radio("filer_kind", value="student")
    keys.choose_radio("category", label="Contrat d'apprentissage")
    save_and_continue()

    # The student.
    arrive("student", "filing-2-student")
    expect(page.get_by_text("Brouillon enregistré")).to_be_visible()
    keys.type_into(field("student_first_name"), "Amina")
    keys.type_into(field("student_last_name"), "Haddad")
    keys.type_date(field("student_birth_date"), "2002-03-14")
    keys.type_into(field("student_birth_place"), "Alger")
    keys.type_into(field("student_nationality"), "algérienne")
    keys.type_into(field("student_email"), STUDENT_EMAIL)
    keys.type_into(field("student_address"), "12 rue des Écoles")
    keys.type_into(field("student_postcode"), "75005")
    keys.type_into(field("student_city"), "Paris")
    keys.type_into(field("institution_name"), "Sorbonne Université")
    keys.type_into(field("enrolment_programme"), "Master informatique")
    keys.type_into(field("enrolment_year"), "2026-2027")
    # Back up with Shift+Tab to complete the birth place.
    keys.type_into(field("student_birth_place"), "Alger (Algérie)", backwards=True)
    save_and_continue()

    # The residence permit.
    arrive("residence", "filing-3-residence")
    keys.select(field("residence_permit_type"), "student_card")
    keys.type_into(field("residence_permit_number"), "7501234567")
    keys.type_date(field("residence_permit_start"), (today - datetime.timedelta(days=200)).isoformat())
    keys.type_date(field("residence_permit_end"), (today + datetime.timedelta(days=500)).isoformat())
    keys.type_into(field("residence_permit_prefecture"), "Préfecture de police de Paris")
    department = field("department")
    keys.select(department, department.locator("option", has_text="75 – Paris").get_attribute("value"))
    save_and_continue()

    # The employer: a SIRET with a wrong key is refused at once, then corrected.
    arrive("employer", "filing-4-employer")
    keys.type_into(field("employer_name"), "Boulangerie du Panthéon SARL")
    keys.type_into(field("employer_siret"), "732 829 320 00075")
    keys.type_into(field("employer_address"), "3 rue Soufflot")
    keys.type_into(field("employer_postcode"), "75005")
    keys.type_into(field("employer_city"), "Paris")
    keys.type_into(field("employer_representative"), "Jean Dupont")
    keys.type_into(field("employer_contact_email"), "rh@boulangerie-pantheon.test")
    save_and_continue()
    expect(field("employer_siret")).to_have_attribute("aria-invalid", "true")
    journal.check(student, "filing-4-employer-siret-refused", replay=False)
    keys.skip_to_content()
    keys.type_into(field("employer_siret"), "732 829 320 00074")
    save_and_continue()

    # The job.
    arrive("job", "filing-5-job")
    keys.type_into(field("job_title"), "Apprentie développeuse")
    keys.type_into(field("work_address"), "3 rue Soufflot, 75005 Paris")
    keys.select(field("contract_type"), "apprenticeship")
    keys.type_date(field("contract_start"), (today + datetime.timedelta(days=15)).isoformat())
    keys.type_date(field("contract_end"), (today + datetime.timedelta(days=380)).isoformat())
    keys.type_into(field("weekly_hours"), "35")
    keys.type_into(field("gross_monthly_salary"), "1100")
    save_and_continue()

    # Filed by the student: the employer signs a mandate, prepared by the service; forgotten for now.
    arrive("mandate", "filing-6-mandate")
    expect(page.get_by_role("link", name="Mandat à signer (PDF, en français)")).to_be_visible()
    keys.press(page.get_by_role("link", name="Continuer", exact=True))

    # The documents, real files: PDFs and photos.
    arrive("documents", "filing-6-documents")
    uploads = {
        "Contrat de travail ou promesse d'embauche": pdf_file(journey.files, "contrat.pdf", "Contrat"),
        "Justificatif d'inscription pour l'année en cours": pdf_file(
            journey.files, "inscription.pdf", "Scolarité"
        ),
        "Titre de séjour recto verso": jpeg_file(journey.files, "titre-de-sejour.jpg", "Titre de sejour"),
        "Passeport (pages d'identité)": jpeg_file(journey.files, "passeport.jpg", "Passeport"),
    }
    for label, path in uploads.items():
        upload_with_the_keyboard(keys, page, label, path)
        expect(page.get_by_text(f"« {label} » : fichier enregistré ({path.name}).")).to_be_visible()
        expect(upload_row(page, label).get_by_role("link", name=path.name)).to_be_visible()
        keys.skip_to_content()
    journal.check(student, "filing-6-documents-uploaded", replay=False)
    keys.press(page.get_by_role("link", name="Continuer vers la vérification"))

    # Submission is refused while the mandate is missing: the review says so and the button is disabled.
    arrive("review", "filing-7-review-incomplete")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Mandat de l'employeur")
    expect(page.get_by_role("button", name="Déposer ma demande")).to_be_disabled()
    # A request that reaches the service anyway (an old tab, a crafted post) is refused as well.
    form = page.locator("form[action$='/deposer/']")
    refused = page.request.post(
        form.get_attribute("action"),
        form={"csrfmiddlewaretoken": form.locator("input[name=csrfmiddlewaretoken]").input_value()},
    )
    assert refused.ok and refused.url == page.url.split("#")[0], (refused.status, refused.url)
    assert "Mandat de l'employeur" in html.unescape(refused.text())

    # The review links to what is missing: the mandate is added, and the dossier submitted.
    keys.press(problems.get_by_role("link", name=re.compile("Corriger.*Mandat")))
    arrive("mandate", "filing-6-mandate-again")
    upload_with_the_keyboard(
        keys, page, "Mandat de l'employeur", pdf_file(journey.files, "mandat.pdf", "Mandat")
    )
    expect(page.get_by_text("fichier enregistré")).to_be_visible()
    keys.skip_to_content()
    keys.press(page.get_by_role("link", name="Continuer", exact=True))
    arrive("documents", "filing-6-documents-again")
    keys.press(page.get_by_role("link", name="Continuer vers la vérification"))
    arrive("review", "filing-7-review-complete")
    expect(page.get_by_role("heading", name="Votre dossier est complet")).to_be_visible()
    keys.press(page.get_by_role("button", name="Déposer ma demande"))
    expect(page.get_by_text("Votre dossier est déposé sous le numéro")).to_be_visible()
    journey.dossier_path = page.url.removeprefix(student.service_url).removesuffix("#content")
    journey.dossier_number = re.search(r"WIF-\d{4}-75-\d+", page.get_by_role("main").inner_text()).group(0)


def upload_with_the_keyboard(keys, page, label: str, path) -> None:
    row = upload_row(page, label)
    keys.upload(row.locator("input[type=file]"), path)
    keys.press(row.get_by_role("button", name=re.compile("(Envoyer les|Ajouter des) fichiers")))


def test_2_agent_asks_for_a_complement_student_answers_agent_accepts(
    open_person, journal, mailbox, journey, signing_key
):
    previous_step(journey.dossier_number, "the submission of the dossier")
    number = journey.dossier_number
    agent = open_person("Paris agent")
    # Staff confirm the password with the code of their authenticator app (the demo secret).
    agent.log_in(PARIS_AGENT, DEMO_PASSWORD, stop_at_second_factor=True)
    page = agent.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")
    for path in (reverse("admin:index"), reverse("backoffice:inbox")):  # the last one asked is kept
        agent.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")
    journal.check(agent, "second-factor", replay=False)
    agent.enter_totp_code()

    # The new dossier waits in the unit's inbox, tab "to take".
    expect(page).to_have_url(re.compile(re.escape(reverse("backoffice:inbox")) + "$"))
    row = page.get_by_test_id("inbox-row").filter(has_text=number)
    expect(row).to_contain_text("Amina HADDAD")
    expect(row).to_contain_text("Boulangerie du Panthéon SARL")
    journal.check(agent, "inbox-to-take")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {number}")
    documents = page.get_by_test_id("document")
    expect(documents).to_have_count(5)
    journey.document_paths = tuple(
        documents.get_by_role("link", name=re.compile("^Télécharger")).evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
    )
    # Each document opens in the browser: the real PDF and JPEG files, as uploaded.
    passport = documents.filter(has_text="passeport.jpg")
    passport.locator("summary").click()
    expect(passport.get_by_role("img", name="passeport.jpg")).to_be_visible()
    photo = passport.get_by_role("img").element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo)
    assert photo.evaluate("img => img.naturalWidth") == 1240
    journal.check(agent, "dossier-submitted")

    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("En cours d'instruction")
    journal.check(agent, "dossier-in-review", replay=False)

    # The agent asks for the signed contract.
    seen = len(mailbox.to(STUDENT_EMAIL))
    actions = page.get_by_test_id("actions")
    actions.locator("summary", has_text="Demander des compléments").click()
    contract = actions.get_by_role("checkbox", name="Contrat de travail ou promesse d'embauche")
    actions.locator(f"label[for={contract.get_attribute('id')}]").click()
    actions.get_by_label("Message au demandeur").fill(COMPLEMENT_MESSAGE)
    journal.check(agent, "complements-form", replay=False)
    actions.get_by_role("button", name="Demander des compléments").click()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("Compléments demandés")
    journal.check(agent, "dossier-awaiting-complements", replay=False)

    # The student is told by e-mail, follows the link, sees what is asked and answers.
    mail = mailbox.wait_for_new(STUDENT_EMAIL, seen=seen)
    assert number in mail.subject
    [link] = {url for url in mail.links() if url.endswith(journey.dossier_path)}
    student = open_person("student")
    student.log_in(STUDENT_EMAIL, STUDENT_PASSWORD)
    student.goto(link)
    complements = student.page.locator("#complements")
    expect(complements).to_contain_text(COMPLEMENT_MESSAGE)
    journal.check(student, "dossier-complements-asked")
    row = upload_row(student.page, "Contrat de travail ou promesse d'embauche")
    row.locator("input[type=file]").set_input_files(
        pdf_file(journey.files, "contrat-signe.pdf", "Contrat signé")
    )
    row.get_by_role("button", name=re.compile("(Envoyer les|Ajouter des) fichiers")).click()
    expect(student.page.get_by_text("fichier enregistré")).to_be_visible()
    expect(student.page.get_by_role("link", name="contrat-signe.pdf").first).to_be_visible()
    # A document may hold several files: the unsigned contract is taken out with its own button.
    upload_row(student.page, "Contrat de travail ou promesse d'embauche").get_by_role(
        "button", name="Retirer — contrat.pdf"
    ).click()
    expect(student.page.get_by_text("« contrat.pdf » a été retiré du dossier.")).to_be_visible()
    journal.check(student, "dossier-complement-uploaded", replay=False)
    student.page.get_by_role("button", name="Renvoyer le dossier complété").click()
    expect(student.page.locator("#status")).to_contain_text("En cours d'instruction")
    journal.check(student, "dossier-resubmitted", replay=False)

    # Back with the same agent, still in review (no need to take it again): the new contract is there.
    page.reload()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("En cours d'instruction")
    expect(page.get_by_test_id("document").filter(has_text="contrat-signe.pdf").first).to_be_visible()
    actions.locator("summary", has_text="Accepter et délivrer l'autorisation").click()
    journal.check(agent, "accept-form", replay=False)
    actions.get_by_role("button", name="Accepter et délivrer l'autorisation").click()
    expect(page.get_by_test_id("dossier-state")).to_contain_text("Accepté")
    journal.check(agent, "dossier-accepted")
    journey.accepted = True


def test_3_permit_qr_code_verification_and_revocation(open_person, journal, journey):
    previous_step(journey.accepted, "the acceptance of the dossier")
    student = open_person("student")
    student.log_in(STUDENT_EMAIL, STUDENT_PASSWORD)
    expect(student.page.get_by_role("row").filter(has_text=journey.dossier_number)).to_contain_text("Accepté")
    journal.check(student, "dashboard")
    student.goto(journey.dossier_path)
    page = student.page
    expect(page.locator("#status")).to_contain_text("l'autorisation provisoire de travail est délivrée")
    journal.check(student, "dossier-accepted")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'autorisation (PDF)").click()
    permit_pdf = journey.files / "autorisation.pdf"
    download.value.save_as(permit_pdf)
    assert permit_pdf.read_bytes().startswith(b"%PDF")
    seal_url = qr_code_of(permit_pdf, keep_as=journal.folder / "permit-page-1.png")
    assert re.fullmatch(
        rf"HTTP://127\.0\.0\.1:{student.service_url.rsplit(':', 1)[1]}/V/[A-Z2-7]+", seal_url
    ), seal_url

    # Anyone who scans the code sees the verdict first, then what to compare with the person.
    verifier = open_person("employer's HR")
    verifier.goto(seal_url)
    verdict = verifier.page.locator("[data-verdict]")
    # The contract starts in 15 days: genuine, but not yet in force (never "valid" in green before then).
    expect(verdict).to_have_attribute("data-verdict", "not_yet_in_force")
    expect(verdict.get_by_role("heading", level=1)).to_contain_text(
        "Autorisation authentique, pas encore en vigueur"
    )
    expect(verifier.page.get_by_role("table")).to_contain_text("HADDAD")
    expect(verifier.page.get_by_role("table")).to_contain_text("14/03/2002")
    journey.permit_number = re.search(r"APT-[\w-]+", verifier.page.get_by_role("table").inner_text()).group(0)
    journal.check(verifier, "verification-valid")

    # The second way in, without the QR code: the permit's number and the holder's birth date.
    verifier.page.get_by_role("link", name="Vérifier une autre autorisation").click()
    journal.check(verifier, "verification-form")
    verifier.page.get_by_label("Numéro de l'autorisation").fill(journey.permit_number)
    verifier.page.get_by_label("Date de naissance du titulaire").fill("2002-03-14")
    verifier.page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(verdict).to_have_attribute("data-verdict", "not_yet_in_force")
    journal.check(verifier, "verification-by-number", replay=False)

    # A supervisor of the unit withdraws it...
    supervisor = open_person("Paris supervisor")
    supervisor.log_in(PARIS_SUPERVISOR, DEMO_PASSWORD)
    supervisor.goto(seal_url)
    supervisor.page.get_by_role("link", name="Retirer cette autorisation").click()
    journal.check(supervisor, "revoke-form")
    supervisor.page.get_by_label("Motif du retrait").fill("Contrat rompu pendant la période d'essai.")
    supervisor.page.get_by_role("button", name="Retirer l'autorisation").click()
    # ... and is back on the dossier's screen, which says so.
    expect(supervisor.page.get_by_test_id("permit-status")).to_contain_text("Retirée")
    journal.check(supervisor, "dossier-permit-revoked", replay=False)
    supervisor.goto(seal_url)
    expect(supervisor.page.locator("[data-verdict]")).to_have_attribute("data-verdict", "revoked")
    journal.check(supervisor, "verification-revoked", replay=False)

    # ... and the same code now says so, at once.
    verifier.goto(seal_url)
    expect(verdict).to_have_attribute("data-verdict", "revoked")
    expect(verdict.get_by_role("heading", level=1)).to_contain_text("Autorisation retirée")
    journal.check(verifier, "verification-revoked")
    journey.permit_revoked = True


def qr_code_of(pdf_path: Path, *, keep_as: Path) -> str:
    """Rasterise the permit's first page at 300 dpi (kept for people to look at) and decode its QR code."""
    document = pdfium.PdfDocument(pdf_path)
    image = document[0].render(scale=300 / 72).to_pil()
    document.close()
    image.save(keep_as)
    codes = [code for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(codes) == 1, f"{len(codes)} QR codes on the permit"
    return codes[0].text


def test_4_an_agent_of_another_unit_cannot_reach_the_dossier(open_person, journal, journey):
    previous_step(journey.permit_revoked, "the permit's verification and revocation")
    number = journey.dossier_number
    uuid = journey.dossier_path.rstrip("/").rsplit("/", 1)[1]
    lyon_agent = open_person("Lyon agent")
    lyon_agent.log_in(LYON_AGENT, DEMO_PASSWORD)
    page = lyon_agent.page

    # Not in any tab of the inbox, not found by number, by name or by SIRET.
    for query in ("tab=all", f"tab=all&q={number}", "tab=all&q=Haddad", "tab=all&q=73282932000074"):
        lyon_agent.goto(f"{reverse('backoffice:inbox')}?{query}")
        expect(page.get_by_role("table")).to_contain_text("Aucun dossier ne correspond.")
        expect(page.get_by_role("main")).not_to_contain_text(number)
    journal.check(lyon_agent, "inbox-search-by-number")
    export = page.request.get(f"{reverse('backoffice:export_csv')}?tab=all")
    assert export.ok and number not in export.text() and "Haddad" not in export.text()

    # Its URLs answer "not found", as if it did not exist.
    dossier_url = reverse("backoffice:dossier", kwargs={"uuid": uuid})
    assert lyon_agent.goto(dossier_url).status == 404
    journal.check(lyon_agent, "dossier-not-found")
    permit_url = reverse("permits:download", kwargs={"number": journey.permit_number})
    for path in (*journey.document_paths, permit_url):
        assert lyon_agent.goto(path).status == 404, path

    # A supervisor of the other unit cannot withdraw its permit either.
    lyon_supervisor = open_person("Lyon supervisor")
    lyon_supervisor.log_in(LYON_SUPERVISOR, DEMO_PASSWORD)
    response = lyon_supervisor.goto(reverse("permits:revoke", kwargs={"number": journey.permit_number}))
    assert response.status == 404
    journey.other_unit_checked = True


def test_5_the_same_pages_in_english(open_person, journal, mailbox, visited_pages, journey):
    previous_step(journey.other_unit_checked, "the journey in French")

    # A newcomer reads the service in English from the first page: guide, sign-up, e-mail, their space.
    newcomer = open_person("English-speaking student", language="en")
    page = newcomer.page
    page.get_by_role("link", name="Start with the guide").click()
    pick(page, "filer_kind", "student")
    pick(page, "situation", "apprenticeship")
    page.locator("select[name=department]").select_option(label="92 – Hauts-de-Seine")
    page.get_by_role("button", name="See the result").click()
    expect(page.get_by_role("heading", name="The request is made online")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Documents to prepare").locator("xpath=following-sibling::ul[1]")
    ).to_contain_text("Employment contract or job offer letter")
    journal.check(newcomer, "en-guide-result")
    page.get_by_role("link", name="Create an account to file the request").click()
    page.get_by_label("First name").fill("Nguyen")
    page.get_by_label("Last name").fill("Van An")
    page.get_by_label("E-mail address").fill(NEWCOMER_EMAIL)
    page.locator("input[name=password1]").fill(STUDENT_PASSWORD)
    page.locator("input[name=password2]").fill(STUDENT_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    journal.check(newcomer, "en-signup-done")
    mail = mailbox.wait_for(NEWCOMER_EMAIL, subject_contains="Confirm your e-mail address")
    [link] = [url for url in mail.links() if "/comptes/confirmer/" in url]
    newcomer.goto(link)
    expect(page.get_by_text("Your e-mail address is confirmed. You can sign in.")).to_be_visible()
    newcomer.log_in(NEWCOMER_EMAIL, STUDENT_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My files")
    journal.check(newcomer, "en-dashboard")

    # The filing form in English, step by step: a draft may be saved incomplete; the review says what is missing.
    page.get_by_role("link", name="New request").click()
    journal.check(newcomer, "en-filing-1-filer")
    pick(page, "filer_kind", "employer")
    page.locator(
        f"label[for={page.get_by_role('radio', name='Apprenticeship contract').get_attribute('id')}]"
    ).click()
    page.get_by_role("button", name="Save and continue").click()
    for step in ("student", "residence", "employer", "job"):
        expect(page).to_have_url(re.compile(f"/etapes/{step}/$"))
        journal.check(newcomer, f"en-filing-{step}")
        page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile("/etapes/documents/$"))
    journal.check(newcomer, "en-filing-documents")
    page.get_by_role("link", name="Continue to the review").click()
    expect(page.get_by_role("button", name="Submit my request")).to_be_disabled()
    expect(page.locator("#problems")).to_contain_text("Employment contract or job offer letter")
    journal.check(newcomer, "en-filing-review")

    # Every page the journey showed in French, again in English, to the same people.
    problems = []
    for (email, password), visits in visited_pages.by_account.items():
        person = open_person(email or "visitor", language="en")
        if email:
            person.log_in(email, password)
        for visit in visits:
            person.goto(visit.path)
            problems += journal.problems(person, f"en-{visit.step}")
    assert len(visited_pages.by_account) == 5, (
        visited_pages.by_account
    )  # visitor, student, 2 agents, supervisor
    assert not problems, "\n".join(problems)
