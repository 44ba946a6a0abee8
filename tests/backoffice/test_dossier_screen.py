import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.backoffice import services as backoffice_services
from workinfrance.core.events import events_for
from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.models import Message, MessageTemplate, Note
from workinfrance.opinions import services as opinion_services

from tests.backoffice.conftest import filed, in_review
from tests.factories import PNG_BYTES, attach_document


def url(view, dossier, **kwargs):
    return reverse(f"backoffice:{view}", kwargs={"uuid": dossier.uuid, **kwargs})


def test_every_view_is_audited(client, agent, paris_dossier):
    client.force_login(agent)
    client.get(url("dossier", paris_dossier))
    client.get(url("dossier", paris_dossier))
    views = events_for(paris_dossier).filter(verb="dossier.view")
    assert views.count() == 2
    assert {event.actor for event in views} == {agent}


def test_screen_shows_data_documents_and_history(client, agent, paris_dossier):
    client.force_login(agent)
    page = client.get(url("dossier", paris_dossier)).content.decode()
    for text in (
        paris_dossier.number,
        paris_dossier.employer_siret,
        "Sorbonne Université",
        "Apprentie développeuse",
    ):
        assert text in page
    for document in paris_dossier.documents.all():
        assert url("document", paris_dossier, document_id=document.pk) in page
        assert url("document_download", paris_dossier, document_id=document.pk) in page
    assert "Dépôt" in page  # history


def test_document_inline_and_download(client, agent, paris_dossier):
    document = paris_dossier.documents.first()
    image = attach_document(paris_dossier, None, content=PNG_BYTES, name="photo.png")
    type(image).objects.filter(pk=image.pk).update(content_type="image/png")
    client.force_login(agent)
    response = client.get(url("document", paris_dossier, document_id=document.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(url("document", paris_dossier, document_id=image.pk))
    assert response["Content-Type"] == "image/png"
    response = client.get(url("document_download", paris_dossier, document_id=document.pk))
    assert response["Content-Disposition"].startswith("attachment")
    verbs = list(
        events_for(paris_dossier).filter(verb__startswith="dossier.document").values_list("verb", flat=True)
    )
    assert verbs == ["dossier.document_view", "dossier.document_view", "dossier.document_download"]


def test_unknown_content_type_is_never_inline(client, agent, paris_dossier):
    document = attach_document(paris_dossier, None, content=b"<script>", name="x.html")
    type(document).objects.filter(pk=document.pk).update(content_type="text/html")
    client.force_login(agent)
    response = client.get(url("document", paris_dossier, document_id=document.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_notes_are_added_and_listed(client, agent, other_agent, paris_dossier):
    client.force_login(agent)
    response = client.post(url("note_add", paris_dossier), {"note-body": "Appeler l'employeur."})
    assert response.status_code == 302
    note = Note.objects.get(dossier=paris_dossier)
    assert note.author == agent
    client.force_login(other_agent)
    assert "Appeler l&#x27;employeur." in client.get(url("dossier", paris_dossier)).content.decode()
    event = events_for(paris_dossier).get(verb="dossier.note")
    assert event.data == {"note": note.pk}


def test_empty_note_rerenders_with_error(client, agent, paris_dossier):
    client.force_login(agent)
    response = client.post(url("note_add", paris_dossier), {"note-body": "  "})
    assert response.status_code == 400
    assert not Note.objects.exists()


def test_staff_message_notifies_applicant(
    client, agent, paris_dossier, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("message_post", paris_dossier), {"message-body": "Merci de préciser le lieu de travail."}
        )
    message = Message.objects.get(dossier=paris_dossier)
    assert message.from_staff and message.author == agent
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [paris_dossier.applicant.email]
    assert "lieu de travail" not in mailoutbox[0].body  # the e-mail says a message is waiting, nothing more


def test_accept_form_is_prefilled_and_editable(client, agent, paris):
    dossier = in_review(agent=agent)
    client.force_login(agent)
    form = client.get(url("dossier", dossier)).context["forms"]["accept"]
    proposed = services.permit_terms_proposed(dossier)
    assert form.initial == proposed.__dict__
    end = proposed.validity_end - datetime.timedelta(days=30)
    response = client.post(
        url("action", dossier, name="accept"),
        {
            "accept-validity_start": proposed.validity_start.isoformat(),
            "accept-validity_end": end.isoformat(),
            "accept-weekly_hours": "20",
        },
    )
    assert response.status_code == 302
    permit = dossier.permits.get()
    assert (permit.valid_until, permit.weekly_hours) == (end, Decimal("20"))


def test_accept_with_invalid_terms_shows_errors(client, agent, paris):
    dossier = in_review(agent=agent)
    proposed = services.permit_terms_proposed(dossier)
    client.force_login(agent)
    response = client.post(
        url("action", dossier, name="accept"),
        {
            "accept-validity_start": proposed.validity_start.isoformat(),
            "accept-validity_end": (proposed.validity_start + datetime.timedelta(days=800)).isoformat(),
            "accept-weekly_hours": "35",
        },
    )
    assert response.status_code == 400
    assert "La validité ne peut dépasser 12 mois pour cette catégorie." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == "in_review" and not dossier.permits.exists()


def test_refusal_letter_states_reason_and_appeal_routes(client, agent, paris):
    dossier = in_review(agent=agent)
    client.force_login(agent)
    client.post(
        url("action", dossier, name="refuse"),
        {"refuse-reason": "salary", "refuse-comment": "800 € par mois."},
    )
    page = client.get(url("decision_letter", dossier)).content.decode()
    assert "Rémunération inférieure au minimum légal" in page
    assert "800 € par mois." in page
    for route in ("recours gracieux", "recours hiérarchique", "recours contentieux", "deux mois"):
        assert route in page


def test_letter_only_for_decided(client, agent, paris_dossier):
    client.force_login(agent)
    assert client.get(url("decision_letter", paris_dossier)).status_code == 404


def test_permit_links(client, agent, supervisor, paris):
    dossier = in_review(agent=agent)
    services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    permit = dossier.permits.get()
    download = reverse("permits:download", kwargs={"number": permit.number})
    revoke = reverse("permits:revoke", kwargs={"number": permit.number})
    client.force_login(agent)
    page = client.get(url("dossier", dossier)).content.decode()
    assert download in page and revoke not in page
    client.force_login(supervisor)
    assert revoke in client.get(url("dossier", dossier)).content.decode()


def test_reopen_revokes_permit(client, agent, supervisor, paris):
    dossier = in_review(agent=agent)
    services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    client.force_login(supervisor)
    client.post(url("action", dossier, name="reopen"), {"reopen-reason": "Contrat rompu avant le début."})
    dossier.refresh_from_db()
    permit = dossier.permits.get()
    assert dossier.state == "in_review"
    assert permit.status == "revoked" and permit.revocation_reason == "Contrat rompu avant le début."


def test_complement_request_with_document_types(client, agent, paris, mailoutbox):
    dossier = in_review(agent=agent)
    passport = dossier.category.document_types.get(code="passport")
    client.force_login(agent)
    client.post(
        url("action", dossier, name="complements"),
        {"complements-message": "Passeport illisible.", "complements-document_types": [passport.pk]},
    )
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_complements"
    request = dossier.complement_requests.get()
    assert list(request.document_types.all()) == [passport]
    assert request.message.body == "Passeport illisible."


def test_flags_on_screen(client, agent, paris):
    dossier = in_review(agent=agent)
    type(dossier).objects.filter(pk=dossier.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=70)
    )
    client.force_login(agent)
    response = client.get(url("dossier", dossier))
    assert {flag.code for flag in response.context["flags"]} == {"late", "deadline"}
    assert "Refus implicite depuis le" in response.content.decode()


def test_workload(client, agent, other_agent, supervisor, paris):
    old = filed()
    type(old).objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=12))
    in_review(agent=agent)
    in_review(agent=agent)
    awaiting = in_review(agent=other_agent)
    services.dossier_request_complements(dossier=awaiting, actor=other_agent, document_types=[], message="?")
    decided = in_review(agent=agent)
    services.dossier_close(dossier=decided, actor=agent, comment="x")
    client.force_login(supervisor)
    context = client.get(reverse("backoffice:workload")).context
    loads = {load.agent: load for load in context["loads"]}
    assert loads[agent].counts == {"submitted": 0, "in_review": 2, "awaiting_complements": 0}
    assert loads[other_agent].counts == {"submitted": 0, "in_review": 0, "awaiting_complements": 1}
    assert loads[None].counts == {"submitted": 1, "in_review": 0, "awaiting_complements": 0}
    assert loads[supervisor].total == 0
    assert context["total"] == 4
    assert context["oldest"][0] == old


def test_workload_is_for_supervisors(client, agent):
    client.force_login(agent)
    assert client.get(reverse("backoffice:workload")).status_code == 403


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_render_in_both_languages(client, agent, supervisor, paris_dossier, language):
    client.cookies["django_language"] = language
    client.force_login(supervisor)
    expected = {
        "fr": ("Dossiers à instruire", "Pièces justificatives", "Pilotage de l'unité"),
        "en": ("Files to review", "Supporting documents", "Unit dashboard"),
    }[language]
    targets = (reverse("backoffice:inbox"), url("dossier", paris_dossier), reverse("backoffice:workload"))
    for target, heading in zip(targets, expected, strict=True):
        response = client.get(target)
        assert response.status_code == 200
        assert heading in response.content.decode().replace("&#x27;", "'")
    assert Event.objects.filter(verb="dossier.view").count() == 1


def test_every_link_of_the_screen_leads_somewhere(client, agent, paris_dossier):
    """No anchor without a destination (the breadcrumb's last crumb was one): only DSFR's disabled links."""
    from html.parser import HTMLParser

    class Anchors(HTMLParser):
        found: list = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.found.append(dict(attrs))

    client.force_login(agent)
    parser = Anchors()
    parser.found = []
    parser.feed(client.get(url("dossier", paris_dossier)).content.decode())
    current = [anchor for anchor in parser.found if anchor.get("aria-current") == "page"]
    assert [anchor.get("href") for anchor in current] == [url("dossier", paris_dossier)]
    assert all(anchor.get("href") or anchor.get("aria-disabled") == "true" for anchor in parser.found)


# Session, user, units, dossier, the read's audit event, documents, messages and their attachments,
# complement requests, permits, notes, document types, history, reads, the unit's labels (with
# whether the dossier carries each): whatever the number of each. Issue 16 (+4): the messages' read
# receipts, the opinions asked and their shared documents, the unit's message templates; issue 15 (+2):
# the signed decision letters, and (in review) how it entered review ("complété, à revoir").
DOSSIER_SCREEN_QUERIES = 21


@pytest.mark.parametrize("items", [1, 4])
def test_query_count_is_constant(client, agent, paris, django_assert_num_queries, items):
    dossier = in_review(agent=agent)
    for index in range(items):
        attach_document(dossier, None, name=f"passeport-{index}.png", content=PNG_BYTES)
        backoffice_services.note_add(dossier=dossier, actor=agent, body=f"Note {index}")
        services.message_post(dossier=dossier, actor=dossier.applicant, body=f"Question {index}")
        services.message_post(dossier=dossier, actor=agent, body=f"Réponse {index}")
        opinion_services.opinion_request(
            dossier=dossier,
            actor=agent,
            expert_email=f"expert{index}@prefecture.test",
            question="Titre valable ?",
            due_date=timezone.localdate() + datetime.timedelta(days=5),
            sections=["residence"],
            documents=list(dossier.documents.all()[:2]),
        )
        MessageTemplate.objects.create(unit=paris, title=f"Modèle {index}", body="Bonjour")
    client.force_login(agent)
    client.get(url("dossier", dossier))
    with django_assert_num_queries(DOSSIER_SCREEN_QUERIES):
        assert client.get(url("dossier", dossier)).status_code == 200


def test_a_file_read_from_the_applicant_pages_shows_among_the_reads(client, agent, paris_dossier):
    """`document.read` (an agent following a file link of the applicant's pages) is a read."""
    document = paris_dossier.documents.first()
    client.force_login(agent)
    response = client.get(
        reverse("applicant:document", kwargs={"uuid": paris_dossier.uuid, "document_id": document.pk})
    )
    assert response.status_code == 200
    assert events_for(paris_dossier).filter(verb="document.read", actor=agent).count() == 1
    response = client.get(url("dossier", paris_dossier))
    assert [e.verb for e in response.context["reads"]] == ["dossier.view", "document.read"]
    assert "document.read" not in {e.verb for e in response.context["history"]}
    reads = response.content.decode().split("Dernières consultations par les agents")[1]
    assert "Téléchargement d'une pièce" in reads
