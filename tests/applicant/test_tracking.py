import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from workinfrance.core.events import event_record
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Note
from workinfrance.stats.selectors import TYPICAL_MIN_DECIDED

from tests.dossiers.helpers import dossier_in_state, upload
from tests.factories import PDF_BYTES, complete_draft
from tests.stats.story import decided_after, dossier_with_events, paris_time


def page(client, dossier):
    response = client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def logged(client, applicant):
    client.force_login(applicant)
    return client


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (State.DRAFT, "Reprendre ma demande"),
        (State.SUBMITTED, "un agent va la prendre en charge"),
        (State.IN_REVIEW, "dans le délai légal"),
        (State.AWAITING_COMPLEMENTS, "Renvoyer le dossier complété"),
        (State.ACCEPTED, "Demander le renouvellement"),
        (State.REFUSED, "recours gracieux"),
        (State.CLOSED, "Classée sans suite"),
    ],
)
def test_state_in_plain_words(logged, applicant, paris, agent, state, expected):
    dossier = dossier_in_state(state, applicant=applicant, unit=paris, assignee=agent)
    assert expected in page(logged, dossier)


def test_timeline_shows_applicant_events_only(
    logged, applicant, paris, agent, supervisor, django_capture_on_commit_callbacks
):
    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    services.dossier_take(dossier=dossier, actor=agent)
    services.dossier_assign(dossier=dossier, actor=supervisor, assignee=supervisor)  # internal
    event_record(actor=agent, verb="dossier.view", target=dossier)
    Note.objects.create(dossier=dossier, author=agent, body="Employeur douteux, à vérifier")
    html = page(logged, dossier)
    assert "Dossier déposé et transmis au service instructeur" in html
    assert html.count("Dossier pris en charge par un agent") == 1
    assert "Employeur douteux" not in html
    assert "dossier.view" not in html


def test_implicit_refusal_date_and_typical_time_from_the_statistics(logged, applicant, paris, agent):
    start = paris_time(timezone.localdate() - datetime.timedelta(days=30))
    for _ in range(TYPICAL_MIN_DECIDED):
        dossier_with_events(
            unit=paris, department="75", category="apprenticeship", steps=decided_after(start, 4)
        )
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    html = page(logged, dossier)
    deadline = timezone.localdate(dossier.submitted_at) + relativedelta(months=2)
    assert "implicitement refusée" in html
    assert date_format(deadline, "DATE_FORMAT") in html
    assert "la plupart des dossiers sont décidés en 4 jours au plus" in html


def test_refusal_shows_reason_and_appeal_routes(logged, applicant, paris, agent):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    services.dossier_refuse(dossier=dossier, actor=agent, reason="other", comment="Contrat non signé.")
    html = page(logged, dossier)
    for expected in (
        "Contrat non signé.",
        "deux mois",
        "recours gracieux",
        "recours hiérarchique",
        "recours contentieux",
        paris.name,
    ):
        assert expected.replace("'", "&#x27;") in html


def test_accepted_shows_the_permit_and_its_pdf_once_issued(
    logged, applicant, paris, agent, django_capture_on_commit_callbacks
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    permit = dossier.permits.get()
    download = reverse("permits:download", kwargs={"number": permit.number})
    html = page(logged, dossier)
    assert permit.number in html
    assert download not in html
    assert "sera disponible ici dans quelques instants" in html
    for callback in pending:  # the PDF task, run after the commit
        callback()
    assert download in page(logged, dossier)


def test_complement_request_lists_types_and_upload_fields(logged, applicant, paris, agent):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    types = list(dossier.category.document_types.filter(code__in=["passport", "enrolment"]))
    services.dossier_request_complements(
        dossier=dossier, actor=agent, document_types=types, message="Merci de renvoyer ces pièces."
    )
    html = page(logged, dossier)
    assert "Merci de renvoyer ces pièces." in html
    for doc_type in types:
        assert (
            reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": doc_type.pk})
            in html
        )
    passport = types[0] if types[0].code == "passport" else types[1]
    logged.post(
        reverse("applicant:upload", kwargs={"uuid": dossier.uuid, "document_type_id": passport.pk}),
        {"next": "dossier", f"t{passport.pk}-file": upload(PDF_BYTES, "nouveau.pdf")},
    )
    response = logged.post(reverse("applicant:resubmit", kwargs={"uuid": dossier.uuid}))
    assert response["Location"] == reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})
    dossier.refresh_from_db()
    assert dossier.state == State.IN_REVIEW
    assert dossier.documents.filter(original_name="nouveau.pdf", superseded_at=None).exists()


def test_message_from_the_applicant_with_attachment(logged, applicant, paris, agent, mailoutbox):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    response = logged.post(
        reverse("applicant:message", kwargs={"uuid": dossier.uuid}),
        {"body": "Voici mon nouveau contrat.", "attachment": upload(PDF_BYTES, "contrat.pdf")},
    )
    assert response.status_code == 302
    message = dossier.messages.get()
    assert message.attachments.get().original_name == "contrat.pdf"
    assert "Voici mon nouveau contrat." in page(logged, dossier)
    assert mailoutbox == []


def test_message_attachment_is_checked_too(logged, applicant, paris, agent):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    response = logged.post(
        reverse("applicant:message", kwargs={"uuid": dossier.uuid}),
        {"body": "Voici.", "attachment": upload(b"#!/bin/sh\nrm -rf /", "contrat.pdf")},
    )
    assert response.status_code == 400
    assert "ni un PDF" in response.content.decode()
    assert dossier.messages.count() == 0


def test_renewal_from_the_tracking_page(logged, applicant, paris, agent):
    dossier = dossier_in_state(State.ACCEPTED, applicant=applicant, unit=paris, assignee=agent)
    response = logged.post(reverse("applicant:renew", kwargs={"uuid": dossier.uuid}))
    renewal = dossier.renewals.get()
    assert response["Location"] == reverse("applicant:step", kwargs={"uuid": renewal.uuid, "step": "filer"})
    assert logged.get(response["Location"]).status_code == 200
    assert f"Renouvellement de la demande {dossier.number}" in page(logged, renewal)


def test_document_download_headers(logged, applicant, paris, agent):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    document = dossier.documents.first()
    response = logged.get(
        reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_state_change_emails_are_bilingual_with_link_and_no_content(
    applicant, paris, agent, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_request_complements(
            dossier=dossier, actor=agent, document_types=[], message="Numéro de passeport AB123456 illisible"
        )
    mail = mailoutbox[0]
    assert mail.to == [applicant.email]
    assert "Compléments demandés" in mail.subject and "Additional information requested" in mail.subject
    assert "Il manque des pièces" in mail.body and "Documents are missing" in mail.body
    assert "AB123456" not in mail.body
    assert reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}) in mail.body
    assert "aucune valeur juridique" in mail.body
