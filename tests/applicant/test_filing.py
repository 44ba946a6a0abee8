import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier, FilerKind

from tests.dossiers.helpers import events_of, upload
from tests.factories import PDF_BYTES, VALID_SIRET, DossierFactory, category, complete_draft


def step_url(dossier, step):
    return reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": step})


@pytest.fixture
def logged(client, applicant):
    client.force_login(applicant)
    return client


def test_new_request_creates_a_draft_then_goes_to_the_student_step(logged, applicant):
    response = logged.get(reverse("applicant:new"))
    assert response.status_code == 200
    assert "Étape 1 sur 7" in response.content.decode()
    response = logged.post(
        reverse("applicant:new"),
        {"filer_kind": FilerKind.STUDENT, "category": category().pk, "previous_permit_number": ""},
    )
    dossier = Dossier.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == step_url(dossier, "student")
    assert dossier.state == State.DRAFT


def test_new_request_needs_who_and_category(logged, applicant):
    response = logged.post(reverse("applicant:new"), {})
    assert response.status_code == 200
    assert not Dossier.objects.exists()


def test_each_step_saves_the_draft_and_it_resumes(logged, applicant, paris):
    dossier = DossierFactory(applicant=applicant, employer_name="", employer_siret="", job_title="")
    response = logged.post(
        step_url(dossier, "employer"),
        {"employer_name": "Atelier Durand", "employer_siret": "732 829 320 00074", "save_and_quit": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applicant:dashboard")
    dossier.refresh_from_db()
    assert (dossier.employer_name, dossier.employer_siret) == ("Atelier Durand", VALID_SIRET)
    # A new session finds the values where they were left.
    page = logged.get(step_url(dossier, "employer")).content.decode()
    assert 'value="Atelier Durand"' in page
    response = logged.post(step_url(dossier, "job"), {"job_title": "Apprenti boulanger"})
    # Filed by the student: the employer's mandate comes next (issue 15).
    assert response["Location"] == step_url(dossier, "mandate")


def test_invalid_siret_is_shown_on_the_step_and_not_saved(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    response = logged.post(step_url(dossier, "employer"), {"employer_siret": "73282932000075"})
    assert response.status_code == 200
    assert "clé de contrôle" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.employer_siret == VALID_SIRET


def test_closed_department_is_explained_on_the_residence_step(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    response = logged.post(step_url(dossier, "residence"), {"department": "13"})
    assert "pas encore ouvert" in response.content.decode()


def test_job_step_warns_about_inconsistencies(logged, applicant):
    today = timezone.localdate()
    dossier = DossierFactory(
        applicant=applicant,
        contract_start=today + datetime.timedelta(days=20),
        contract_end=today + datetime.timedelta(days=10),
    )
    page = logged.get(step_url(dossier, "job")).content.decode()
    assert "À corriger avant le dépôt" in page
    assert "antérieure à son début" in page


def test_dates_in_the_wrong_order_are_refused_at_the_field_and_nothing_typed_is_lost(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    saved = (dossier.contract_start, dossier.contract_end, dossier.job_title)
    response = logged.post(
        step_url(dossier, "job"),
        {
            "job_title": "Serveuse",
            "contract_type": dossier.contract_type,
            "contract_start": "2027-03-20",
            "contract_end": "2027-03-10",
            "weekly_hours": "15",
            "gross_monthly_salary": "900",
        },
    )
    assert response.status_code == 200  # the step again, not the next one
    form = response.context["form"]
    assert form.errors["contract_end"] == ["La fin du contrat est antérieure à son début."]
    page = response.content.decode()
    assert 'value="Serveuse"' in page and 'value="2027-03-10"' in page  # what was typed is still there
    dossier.refresh_from_db()
    assert (dossier.contract_start, dossier.contract_end, dossier.job_title) == saved


def test_a_problem_spanning_two_steps_waits_for_review(logged, applicant):
    # The residence permit ending before the contract starts: either step may be the wrong one.
    dossier = DossierFactory(applicant=applicant)
    end = dossier.contract_start - datetime.timedelta(days=1)
    response = logged.post(step_url(dossier, "residence"), {"residence_permit_end": end.isoformat()})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.residence_permit_end == end


def test_documents_step_lists_required_types_and_uploads(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    page = logged.get(step_url(dossier, "documents")).content.decode()
    # The mandate has its own step (issue 15).
    assert "Passeport" in page and "Mandat de l" not in page
    assert "Mandat de l" in logged.get(step_url(dossier, "mandate")).content.decode()
    response = logged.post(
        reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": passport.pk}),
        {"next": "documents", f"t{passport.pk}-file": upload(PDF_BYTES, "passeport.pdf")},
    )
    assert response["Location"] == step_url(dossier, "documents")
    assert dossier.documents.get().original_name == "passeport.pdf"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"MZ\x90\x00\x03 this is an executable", "passeport.pdf", "ni un PDF"),
        (b"", "vide.pdf", "est vide"),
        (PDF_BYTES + b" " * 4096, "gros.pdf", "taille maximale"),
    ],
)
def test_upload_refusals_are_explained(logged, applicant, settings, content, name, expected):
    settings.WIF_UPLOAD_MAX_BYTES = 2048
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    response = logged.post(
        reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": passport.pk}),
        {"next": "documents", f"t{passport.pk}-file": upload(content, name)},
        follow=True,
    )
    assert expected in response.content.decode()
    assert dossier.documents.count() == 0


def test_upload_refusal_in_english(logged, applicant):
    logged.cookies["django_language"] = "en"
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    response = logged.post(
        reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": passport.pk}),
        {"next": "documents", f"t{passport.pk}-file": upload(b"GIF89a....", "scan.pdf")},
        follow=True,
    )
    assert "is not a PDF, JPEG or PNG image" in response.content.decode()


def test_review_lists_problems_with_links_and_submit_refuses(logged, applicant, paris):
    dossier = DossierFactory(applicant=applicant, employer_siret="12345678901234")
    page = logged.get(step_url(dossier, "review")).content.decode()
    assert "Le numéro SIRET doit comporter 14 chiffres et sa clé de contrôle doit être juste." in page
    assert f'href="{step_url(dossier, "employer")}"' in page
    assert f'href="{step_url(dossier, "documents")}"' in page
    response = logged.post(reverse("applicant:submit", kwargs={"uuid": dossier.uuid}), follow=True)
    assert "ne peut pas encore être déposé" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_double_submit_through_the_view_files_one_dossier(logged, applicant, paris, mailoutbox):
    dossier = complete_draft(applicant=applicant)
    url = reverse("applicant:submit", kwargs={"uuid": dossier.uuid})
    first = logged.post(url)
    second = logged.post(url, follow=True)
    dossier.refresh_from_db()
    assert first["Location"] == reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})
    assert second.status_code == 200
    assert dossier.state == State.SUBMITTED
    assert Dossier.objects.filter(applicant=applicant).exclude(number=None).count() == 1
    assert events_of(dossier).count("dossier.submit") == 1


def test_second_tab_submitting_after_the_agent_took_it(logged, applicant, paris, agent):
    from workinfrance.dossiers import services

    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    services.dossier_take(dossier=dossier, actor=agent)
    response = logged.post(reverse("applicant:submit", kwargs={"uuid": dossier.uuid}), follow=True)
    assert "déjà été déposé" in response.content.decode()


def test_submitted_dossier_steps_redirect_to_tracking(logged, applicant, paris):
    from workinfrance.dossiers import services

    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    response = logged.post(step_url(dossier, "job"), {"job_title": "Autre"})
    assert response["Location"] == reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})
    dossier.refresh_from_db()
    assert dossier.job_title != "Autre"


def test_unknown_step_is_404(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    assert logged.get(step_url(dossier, "nope")).status_code == 404
