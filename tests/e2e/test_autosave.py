"""Nothing lost on a phone (issue 15): a student types on a step and leaves without pressing a button,
sees an impossible contract at the field as she types it, loses her network for a moment, and sends the
front and the back of her residence permit at once."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from .documents import jpeg_file
from .test_journey import pick, upload_row

EMAIL = "lea.autosave@example.test"
PASSWORD = "Mon-mot-de-passe-2026"
PHONE = {"width": 390, "height": 844}
SAVED = re.compile(r"^Enregistré à \d{2}:\d{2}")


def test_typed_data_survives_leaving_errors_show_at_the_field_and_two_files_go_at_once(
    open_person, journal, service, tmp_path
):
    service.python(
        "from workinfrance.accounts.models import User; "
        f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, first_name='Léa', last_name='Nguyen', "
        "email_confirmed=True)"
    )
    student = open_person("student on a phone")
    page = student.page
    student.log_in(EMAIL, PASSWORD)
    page.set_viewport_size(PHONE)  # signed in (the header's tools fold into the menu on a phone)
    page.get_by_role("link", name="Nouvelle demande").click()
    pick(page, "filer_kind", "student")
    apprenticeship = page.get_by_role("radio", name="Contrat d'apprentissage").get_attribute("id")
    page.locator(f"label[for={apprenticeship}]").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(re.compile(r"/etapes/student/$"))
    step_url = page.url
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("aria-live", "polite")

    # She types, and the step saves itself in the background; no button pressed.
    page.locator("[name=student_birth_place]").fill("Hanoï")
    page.locator("[name=institution_name]").fill("Université Paris Cité")
    expect(status).to_have_text(SAVED)
    journal.check(student, "autosave-saved", replay=False)

    # She leaves (the dashboard), comes back: what she typed is there.
    student.goto(reverse("applicant:dashboard"))
    student.goto(step_url)
    expect(page.locator("[name=student_birth_place]")).to_have_value("Hanoï")
    expect(page.locator("[name=institution_name]")).to_have_value("Université Paris Cité")

    # Offline for a moment: told so, then saved when the network is back.
    student.context.set_offline(True)
    page.locator("[name=student_city]").fill("Paris")
    page.locator("[name=student_city]").press("Tab")
    expect(status).to_contain_text("Non enregistré — hors ligne")
    student.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(SAVED)
    student.goto(step_url)
    expect(page.locator("[name=student_city]")).to_have_value("Paris")

    # The contract ends before it starts: said at the field as she leaves it, in the server's words.
    student.goto(step_url.replace("/etapes/student/", "/etapes/job/"))
    end = page.locator("[name=contract_end]")
    page.locator("[name=contract_start]").fill("2027-03-20")
    end.fill("2027-03-10")
    end.press("Tab")
    error = page.locator("#id_contract_end-desc-error")
    expect(error).to_have_text("La fin du contrat est antérieure à son début.")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(status).to_contain_text("sauf les champs à corriger")
    journal.check(student, "autosave-error-at-the-field", replay=False)
    # Corrected: the error goes away.
    end.fill("2028-03-10")
    end.press("Tab")
    expect(error).to_have_count(0)
    expect(end).not_to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text(SAVED)

    # The residence permit, photographed front and back, sent at once with a progress bar.
    student.goto(step_url.replace("/etapes/student/", "/etapes/documents/"))
    row = upload_row(page, "Titre de séjour recto verso")
    front = jpeg_file(tmp_path, "titre-recto.jpg", "Titre de sejour - recto")
    back = jpeg_file(tmp_path, "titre-verso.jpg", "Titre de sejour - verso")
    row.locator("input[type=file]").set_input_files([front, back])
    row.get_by_role("button", name=re.compile("Envoyer les fichiers")).click()
    # The script sends each file in its own request (the size limit is per file): one message each.
    for name in ("titre-recto.jpg", "titre-verso.jpg"):
        expect(
            page.get_by_text(f"« Titre de séjour recto verso » : fichier enregistré ({name}).")
        ).to_be_visible()
    row = upload_row(page, "Titre de séjour recto verso")
    for name in ("titre-recto.jpg", "titre-verso.jpg"):
        expect(row.get_by_role("link", name=name)).to_be_visible()
        expect(row.get_by_role("button", name=f"Retirer — {name}")).to_be_visible()
    journal.check(student, "documents-front-and-back", replay=False)

    # One removed with its own button; the other stays.
    row.get_by_role("button", name="Retirer — titre-recto.jpg").click()
    expect(page.get_by_text("« titre-recto.jpg » a été retiré du dossier.")).to_be_visible()
    row = upload_row(page, "Titre de séjour recto verso")
    expect(row.get_by_role("link", name="titre-verso.jpg")).to_be_visible()
    expect(row.get_by_role("link", name="titre-recto.jpg")).to_have_count(0)
    journal.check(student, "documents-one-removed", replay=False)
