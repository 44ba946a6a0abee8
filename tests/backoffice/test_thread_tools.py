"""The thread's tools: the unit's message templates (supervisors manage them, agents use them), files
attached by staff, and read receipts per party."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workinfrance.backoffice import services as backoffice_services
from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.errors import ActorNotAllowed
from workinfrance.dossiers.models import Document, Message, MessageRead, MessageTemplate

from tests.backoffice.conftest import in_review
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def _screen(client, dossier, **params):
    return client.get(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}), params)


# --- Message templates ---------------------------------------------------------------------------


def test_supervisors_manage_their_units_templates(client, supervisor, paris):
    client.force_login(supervisor)
    url = reverse("backoffice:message_templates")
    response = client.post(
        url, {"unit": paris.pk, "title": "Passeport illisible", "body": "Merci de déposer…"}
    )
    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    assert (template.unit, template.updated_by) == (paris, supervisor)
    duplicate = client.post(url, {"unit": paris.pk, "title": "passeport illisible", "body": "Autre"})
    assert duplicate.status_code == 400 and "déjà un modèle" in duplicate.content.decode()
    edit = reverse("backoffice:message_template", kwargs={"pk": template.pk})
    assert (
        client.post(edit, {"unit": paris.pk, "title": "Passeport", "body": "Nouveau texte"}).status_code
        == 302
    )
    template.refresh_from_db()
    assert (template.title, template.body) == ("Passeport", "Nouveau texte")
    assert "Passeport" in client.get(url).content.decode()
    delete = reverse("backoffice:message_template_delete", kwargs={"pk": template.pk})
    assert client.post(delete).status_code == 302
    assert not MessageTemplate.objects.exists()
    verbs = list(Event.objects.filter(verb__startswith="message_template").values_list("verb", flat=True))
    assert verbs == ["message_template.save", "message_template.save", "message_template.delete"]


def test_agents_do_not_manage_templates_and_units_are_isolated(client, agent, paris, lyon, lyon_supervisor):
    template = MessageTemplate.objects.create(unit=paris, title="Relance", body="Bonjour")
    client.force_login(agent)
    assert client.get(reverse("backoffice:message_templates")).status_code == 403
    assert (
        client.post(
            reverse("backoffice:message_templates"), {"unit": paris.pk, "title": "X", "body": "Y"}
        ).status_code
        == 403
    )
    client.force_login(lyon_supervisor)
    listing = client.get(reverse("backoffice:message_templates")).content.decode()
    assert "Relance" not in listing
    assert client.get(reverse("backoffice:message_template", kwargs={"pk": template.pk})).status_code == 404
    assert (
        client.post(reverse("backoffice:message_template_delete", kwargs={"pk": template.pk})).status_code
        == 404
    )
    # The form offers only the supervisor's own units; the service refuses another unit anyway.
    refused = client.post(
        reverse("backoffice:message_templates"), {"unit": paris.pk, "title": "X", "body": "Y"}
    )
    assert refused.status_code == 400
    with pytest.raises(ActorNotAllowed):
        backoffice_services.message_template_save(actor=lyon_supervisor, unit=paris, title="X", body="Y")
    with pytest.raises(ActorNotAllowed):
        backoffice_services.message_template_save(actor=agent, unit=paris, title="X", body="Y")
    assert MessageTemplate.objects.count() == 1


def test_agents_prefill_a_message_or_a_complement_request_from_a_template(client, agent, paris, lyon):
    dossier = in_review(agent=agent)
    mine = MessageTemplate.objects.create(unit=paris, title="Relance", body="Texte de la relance Paris")
    theirs = MessageTemplate.objects.create(unit=lyon, title="Lyon", body="Texte de Lyon")
    client.force_login(agent)
    page = _screen(client, dossier).content.decode()
    assert (
        'data-testid="template-picker-message"' in page
        and 'data-testid="template-picker-complements"' in page
    )
    assert "Texte de la relance Paris" in page and "Texte de Lyon" not in page
    assert "message_templates.js" in page
    # Without JavaScript: "Utiliser ce modèle" reloads with the text in the chosen form.
    prefilled = _screen(client, dossier, modele=mine.pk, pour="message").content.decode()
    assert "Texte de la relance Paris</textarea>" in prefilled
    complements = _screen(client, dossier, modele=mine.pk, pour="complements").content.decode()
    assert 'name="complements-message"' in complements
    assert complements.count("Texte de la relance Paris</textarea>") == 1
    assert '<details class="wif-action fr-mb-2w" open>' in complements
    # Another unit's template is ignored.
    assert (
        "Texte de Lyon</textarea>"
        not in _screen(client, dossier, modele=theirs.pk, pour="message").content.decode()
    )


# --- Attachments from staff ------------------------------------------------------------------------


def _pdf(name="courrier.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_agent_attaches_a_file_the_applicant_downloads(client, agent, other_applicant):
    dossier = in_review(agent=agent)
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:message_post", kwargs={"uuid": dossier.uuid}),
        {"message-body": "Voici le modèle de mandat.", "message-attachment": _pdf()},
    )
    assert response.status_code == 302
    message = Message.objects.get(dossier=dossier)
    [document] = message.attachments.all()
    assert (document.dossier, document.uploaded_by, document.content_type) == (
        dossier,
        agent,
        "application/pdf",
    )
    client.force_login(dossier.applicant)
    page = client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})).content.decode()
    url = reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    assert url in page
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    client.force_login(other_applicant)
    assert client.get(url).status_code == 404


def test_a_staff_attachment_passes_the_upload_checks(client, agent):
    dossier = in_review(agent=agent)
    client.force_login(agent)
    before = Document.objects.count()
    response = client.post(
        reverse("backoffice:message_post", kwargs={"uuid": dossier.uuid}),
        {
            "message-body": "Voir pièce jointe",
            "message-attachment": _pdf("page.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 400
    assert "n&#x27;est ni un PDF" in response.content.decode()
    assert not Message.objects.filter(dossier=dossier).exists() and Document.objects.count() == before


# --- Read receipts ---------------------------------------------------------------------------------


def test_read_receipts_per_party(client, agent, other_agent):
    dossier = in_review(agent=agent)
    from_agent = services.message_post(dossier=dossier, actor=agent, body="Pouvez-vous préciser ?")
    from_applicant = services.message_post(dossier=dossier, actor=dossier.applicant, body="Bien sûr.")
    client.force_login(agent)
    page = _screen(client, dossier).content.decode()
    assert "Pas encore lu par le demandeur" in page
    # Opening the screen marked the applicant's message read by this agent (and only that one).
    [read] = MessageRead.objects.all()
    assert (read.message, read.user) == (from_applicant, agent)
    first_read = read.read_at
    _screen(client, dossier)
    assert MessageRead.objects.get().read_at == first_read  # the first reading stays
    client.force_login(dossier.applicant)
    tracking = client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})).content.decode()
    assert "Lu par le service instructeur le" in tracking
    assert MessageRead.objects.filter(message=from_agent, user=dossier.applicant).exists()
    client.force_login(other_agent)
    page = _screen(client, dossier).content.decode()
    assert f"Lu par le demandeur ({dossier.applicant})" in page
    assert str(agent) in page and str(other_agent) in page  # both agents have now read it
    assert MessageRead.objects.filter(message=from_applicant).count() == 2
    assert not MessageRead.objects.filter(message=from_agent, user__in=[agent, other_agent]).exists()


def test_the_applicant_sees_an_unread_message(client, agent):
    dossier = in_review(agent=agent)
    services.message_post(dossier=dossier, actor=dossier.applicant, body="Question")
    client.force_login(dossier.applicant)
    tracking = client.get(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})).content.decode()
    assert "Pas encore lu par le service instructeur" in tracking
    assert not MessageRead.objects.exists()  # one's own messages are not marked
