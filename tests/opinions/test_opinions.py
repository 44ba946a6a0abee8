"""Opinions asked of another service: the expert's link opens that request's shared data and documents
and nothing else, once, until it expires or is cancelled; the answer lands in the dossier."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from workinfrance.core.events import events_for
from workinfrance.core.models import Event
from workinfrance.dossiers.errors import ActorNotAllowed, DossierActionError
from workinfrance.opinions import services
from workinfrance.opinions.models import OpinionRequest, OpinionStatus, ReminderStage
from workinfrance.opinions.tasks import send_opinion_reminders
from workinfrance.outbox.models import OutboxMessage

from tests.backoffice.conftest import filed, in_review
from tests.factories import PDF_BYTES, UserFactory
from tests.followup.helpers import at

pytestmark = pytest.mark.django_db


def _ask(
    dossier, agent, *, sections=("employer",), documents=None, due_in=7, email="etrangers@prefecture.test"
):
    return services.opinion_request(
        dossier=dossier,
        actor=agent,
        expert_email=email,
        question="Le titre de séjour n° 123 est-il valable ?",
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        sections=sections,
        documents=documents if documents is not None else [dossier.documents.first()],
    )


def _link(opinion):
    return reverse("opinions:expert", kwargs={"token": services.opinion_token(opinion)})


def _document_link(opinion, document):
    return reverse(
        "opinions:expert_document",
        kwargs={"token": services.opinion_token(opinion), "document_id": document.pk},
    )


def _pdf(name="avis.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def reviewed(agent):
    return in_review(agent=agent, employer_name="Boulangerie Exemple", student_birth_place="Oran")


def _no_session(client):
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies


def test_the_request_mails_a_link_whose_token_is_stored_only_as_a_digest(agent, reviewed):
    opinion = _ask(reviewed, agent)
    token = services.opinion_token(opinion)
    assert len(token) == 64
    assert opinion.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = OpinionRequest.objects.filter(pk=opinion.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    [mail] = OutboxMessage.objects.filter(idempotency_key__contains="opinion-request")
    assert mail.payload["to"] == "etrangers@prefecture.test"
    assert f"/avis/{token}/" in mail.payload["body"]
    # The question stays behind the link (its words, not "123": the random token may hold those digits).
    assert "titre de séjour n° 123" not in mail.payload["body"]
    event = events_for(reviewed).get(verb="opinion.request")
    assert event.actor == agent and event.data["opinion"] == opinion.pk


def test_the_link_shows_the_shared_sections_and_documents_only(client, agent, reviewed):
    shared = reviewed.documents.first()
    opinion = _ask(reviewed, agent, sections=["employer"], documents=[shared])
    response = client.get(_link(opinion))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Le titre de séjour n° 123 est-il valable ?" in page
    assert "Boulangerie Exemple" in page  # employer section shared
    assert "Oran" not in page  # the student's section was not
    assert page.count('data-testid="opinion-document"') == 1
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    client.get(_link(opinion))
    assert events_for(reviewed).filter(verb="opinion.view").count() == 1  # the first view only
    opinion.refresh_from_db()
    assert opinion.first_viewed_at is not None
    download = client.get(_document_link(opinion, shared))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Referrer-Policy"] == "no-referrer"
    assert events_for(reviewed).filter(verb="opinion.document_read").count() == 1
    _no_session(client)


def test_the_expert_link_gives_access_to_nothing_else(client, agent, reviewed):
    shared, *others = list(reviewed.documents.order_by("pk"))
    opinion = _ask(reviewed, agent, documents=[shared])
    other_dossier = in_review(agent=agent)
    other_opinion = _ask(other_dossier, agent)
    # Another document of the same dossier, not shared; a document of another dossier, even one shared
    # with another expert: refused.
    assert client.get(_document_link(opinion, others[0])).status_code == 404
    assert client.get(_document_link(opinion, other_dossier.documents.first())).status_code == 404
    assert client.get(_document_link(other_opinion, shared)).status_code == 404
    # A token that is not one, or one letter off.
    token = services.opinion_token(opinion)
    for wrong in ("x" * 64, token[:-1] + ("0" if token[-1] != "0" else "1"), token[:32], token.upper()):
        response = client.get(reverse("opinions:expert", kwargs={"token": wrong}))
        assert response.status_code == 404
        assert "Boulangerie" not in response.content.decode()
    # Nothing of the dossier through the back-office or the applicant's pages either.
    for name in ("backoffice:dossier", "applicant:dossier"):
        response = client.get(reverse(name, kwargs={"uuid": reviewed.uuid}))
        assert response.status_code in {302, 404}
    _no_session(client)


def test_the_link_expires(client, agent, reviewed, settings):
    shared = reviewed.documents.first()
    opinion = _ask(reviewed, agent, documents=[shared])
    assert (
        opinion.expires_at.date()
        == (timezone.now() + datetime.timedelta(days=settings.WIF_OPINION_LINK_DAYS)).date()
    )
    with time_machine.travel(opinion.expires_at + datetime.timedelta(seconds=1), tick=False):
        page = client.get(_link(opinion))
        assert page.status_code == 410
        assert "Boulangerie" not in page.content.decode()
        assert client.get(_document_link(opinion, shared)).status_code == 410
        answer = client.post(_link(opinion), {"answer": "Trop tard"})
        assert answer.status_code == 410
        assert send_opinion_reminders() == 0
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.PENDING and opinion.answer == ""
    with time_machine.travel(opinion.expires_at - datetime.timedelta(seconds=5), tick=False):
        assert client.get(_link(opinion)).status_code == 200
    _no_session(client)


def test_cancelling_kills_the_link(client, agent, reviewed):
    shared = reviewed.documents.first()
    opinion = _ask(reviewed, agent, documents=[shared])
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:opinion_cancel", kwargs={"uuid": reviewed.uuid, "pk": opinion.pk})
    )
    assert response.status_code == 302
    client.logout()
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.CANCELLED and opinion.cancelled_by == agent
    assert client.get(_link(opinion)).status_code == 410
    assert client.get(_document_link(opinion, shared)).status_code == 410
    assert client.post(_link(opinion), {"answer": "Valable"}).status_code == 410
    assert events_for(reviewed).filter(verb="opinion.cancel", actor=agent).count() == 1
    with pytest.raises(DossierActionError):
        services.opinion_cancel(opinion=opinion, actor=agent)


def test_the_answer_is_single_use_lands_in_the_history_and_mails_the_agent(
    client, agent, lyon_agent, reviewed
):
    shared = reviewed.documents.first()
    opinion = _ask(reviewed, agent, documents=[shared])
    response = client.post(_link(opinion), {"answer": "Titre valable jusqu'en 2027.", "attachment": _pdf()})
    assert response.status_code == 302 and response.url == _link(opinion)
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ANSWERED and opinion.answered_at is not None
    assert opinion.answer == "Titre valable jusqu'en 2027." and opinion.answer_file_type == "application/pdf"
    # The link now shows the answer only, and takes no second answer.
    page = client.get(_link(opinion))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Titre valable jusqu&#x27;en 2027." in text and 'data-testid="opinion-answered"' in text
    assert "Boulangerie" not in text and "opinion-document" not in text
    assert client.get(_document_link(opinion, shared)).status_code == 410
    again = client.post(_link(opinion), {"answer": "Je me suis trompé."})
    assert again.status_code == 409
    opinion.refresh_from_db()
    assert opinion.answer == "Titre valable jusqu'en 2027."
    _no_session(client)
    event = events_for(reviewed).get(verb="opinion.answer")
    assert event.actor is None and event.data == {"opinion": opinion.pk, "attachment": True}
    [mail] = OutboxMessage.objects.filter(idempotency_key__contains="opinion-answer")
    assert mail.payload["to"] == agent.email and reviewed.number in mail.payload["body"]
    # The dossier screen shows the answer, its file, and the history says so.
    client.force_login(agent)
    screen = client.get(reverse("backoffice:dossier", kwargs={"uuid": reviewed.uuid})).content.decode()
    assert "Titre valable jusqu&#x27;en 2027." in screen and "Avis reçu" in screen
    file_url = reverse("backoffice:opinion_answer_file", kwargs={"uuid": reviewed.uuid, "pk": opinion.pk})
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    client.force_login(lyon_agent)
    assert client.get(file_url).status_code == 404


def test_the_answer_file_passes_the_upload_checks(client, agent, reviewed):
    opinion = _ask(reviewed, agent)
    disguised = SimpleUploadedFile(
        "avis.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
    )
    response = client.post(_link(opinion), {"answer": "Valable.", "attachment": disguised})
    assert response.status_code == 400
    assert "n&#x27;est ni un PDF" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.PENDING and not opinion.answer_file
    assert client.post(_link(opinion), {"answer": "  "}).status_code == 400


def test_only_the_units_agents_ask_and_only_for_their_dossier(agent, lyon_agent, reviewed, paris):
    with pytest.raises(ActorNotAllowed):
        _ask(reviewed, lyon_agent)
    elsewhere = filed(department="69", applicant=UserFactory())
    with pytest.raises(DossierActionError, match="n'appartiennent pas"):
        _ask(reviewed, agent, documents=[elsewhere.documents.first()])
    with pytest.raises(DossierActionError, match="date de réponse"):
        _ask(reviewed, agent, due_in=0)
    with pytest.raises(DossierActionError, match="date de réponse"):
        _ask(reviewed, agent, due_in=400)
    with pytest.raises(DossierActionError, match="e-mail"):
        _ask(reviewed, agent, email="pas-une-adresse")
    with pytest.raises(DossierActionError):
        _ask(reviewed, agent, sections=["secret"])
    assert not OpinionRequest.objects.exists()


def test_the_agent_asks_from_the_dossier_screen(client, agent, reviewed):
    shared = reviewed.documents.first()
    client.force_login(agent)
    url = reverse("backoffice:opinion_request", kwargs={"uuid": reviewed.uuid})
    data = {
        "opinion-expert_email": "etrangers@prefecture.test",
        "opinion-question": "Titre valable ?",
        "opinion-due_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "opinion-sections": ["residence"],
        "opinion-documents": [str(shared.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 302
    opinion = OpinionRequest.objects.get()
    assert opinion.sections == ["residence"] and list(opinion.documents.all()) == [shared]
    bad = client.post(url, {**data, "opinion-due_date": "2000-01-01"})
    assert bad.status_code == 400 and "date de réponse" in bad.content.decode()
    assert OpinionRequest.objects.count() == 1


def _opinion_due(agent, dossier, due: datetime.date):
    opinion = _ask(dossier, agent)
    OpinionRequest.objects.filter(pk=opinion.pk).update(due_date=due)
    return opinion


def _reminders():
    return list(
        OutboxMessage.objects.filter(idempotency_key__contains="opinion-reminder")
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    )


def test_reminders_go_once_per_stage_at_the_right_dates(agent, reviewed, settings):
    settings.WIF_OPINION_REMINDER_DAYS_BEFORE = 2
    with at("2026-12-01 09:00"):
        opinion = _ask(reviewed, agent, due_in=10)  # due 11 December
        answered = _ask(reviewed, agent, due_in=10, email="autre@prefecture.test")
        services.opinion_answer(opinion=answered, answer="Vu.")
        cancelled = _ask(reviewed, agent, due_in=10, email="annule@prefecture.test")
        services.opinion_cancel(opinion=cancelled, actor=agent)
    with at("2026-12-08 07:30"):
        assert send_opinion_reminders() == 0
    with at("2026-12-09 07:30"):  # two days before: the first reminder
        assert send_opinion_reminders() == 1
    with at("2026-12-10 07:30"):
        assert send_opinion_reminders() == 0
    with at("2026-12-11 07:30"):  # the due date itself: still "due soon", already sent
        assert send_opinion_reminders() == 0
    with at("2026-12-12 07:30"):  # late: the second one
        assert send_opinion_reminders() == 1
    with at("2026-12-20 07:30"):
        assert send_opinion_reminders() == 0
    assert _reminders() == [
        f"email:opinion-reminder:{opinion.pk}:1:etrangers@prefecture.test",
        f"email:opinion-reminder:{opinion.pk}:2:etrangers@prefecture.test",
    ]
    opinion.refresh_from_db()
    assert opinion.reminder_stage == ReminderStage.OVERDUE
    reminders = Event.objects.filter(verb="opinion.remind").order_by("pk")
    assert [e.data["stage"] for e in reminders] == [1, 2]
    last = OutboxMessage.objects.filter(idempotency_key__contains="opinion-reminder").latest("pk")
    assert services.opinion_token(opinion) in last.payload["body"]  # the same link again
    assert "était attendu le 11/12/2026" in last.payload["body"]


def test_a_missed_day_sends_only_the_stage_due(agent, reviewed):
    with at("2026-12-01 09:00"):
        opinion = _ask(reviewed, agent, due_in=3)
    with at("2026-12-10 07:30"):  # the beat was down for days: only the "late" reminder
        assert send_opinion_reminders() == 1
        assert send_opinion_reminders() == 0
    assert _reminders() == [f"email:opinion-reminder:{opinion.pk}:2:etrangers@prefecture.test"]


def test_unknown_tokens_are_throttled_per_client(client, agent, reviewed):
    opinion = _ask(reviewed, agent)
    statuses = [
        client.get(reverse("opinions:expert", kwargs={"token": "0" * 64})).status_code for _ in range(12)
    ]
    assert statuses[:10] == [404] * 10
    assert 429 in statuses[10:]
    blocked = client.get(_link(opinion))  # even a real link waits, from that client
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    other = client.get(_link(opinion), REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 200


def test_a_purged_dossier_takes_its_opinions_and_their_files(
    client, agent, reviewed, django_capture_on_commit_callbacks, settings
):
    from django.core.files.storage import default_storage

    from workinfrance.dossiers import services as dossier_services
    from workinfrance.retention.services import retention_purge

    settings.WIF_SIGNING_KEY_DIR = settings.MEDIA_ROOT / "keys"
    opinion = _ask(reviewed, agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.opinion_answer(opinion=opinion, answer="Valable.", attachment=_pdf())
    name = OpinionRequest.objects.get().answer_file.name
    assert default_storage.exists(name)
    dossier_services.dossier_refuse(
        dossier=reviewed, actor=agent, reason="other", comment="Contrat non signé."
    )
    later = timezone.now() + datetime.timedelta(days=31 * (settings.WIF_RETENTION_DECIDED_MONTHS + 1))
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        retention_purge()
    assert not OpinionRequest.objects.exists()
    assert not default_storage.exists(name)


def test_the_browser_answer_passes_without_a_referrer_or_cookie(agent, reviewed):
    """With `Referrer-Policy: no-referrer` browsers post with `Origin: null`: the token is the secret."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    opinion = _ask(reviewed, agent)
    page = browser.get(_link(opinion))
    assert "sessionid" not in page.cookies
    response = browser.post(_link(opinion), {"answer": "Valable."}, HTTP_ORIGIN="null")
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.ANSWERED
