"""E-mails to the applicant: at each state change and each agent message.

Bilingual (French, then English) because the reader may not read French yet. Never the
content of documents or messages: only what happened and a link to the dossier."""

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from workinfrance.core.emails import send_service_email
from workinfrance.core.links import absolute_url
from workinfrance.core.models import Event

from .models import Dossier


def state_changed(*, dossier_id: int, event_id: int) -> None:
    """Called after commit: hands the e-mail to the task queue (in-process without a broker)."""
    from .tasks import send_dossier_email

    send_dossier_email.delay(dossier_id=dossier_id, event_id=event_id, kind="state")


def message_posted(*, dossier_id: int, message_id: int) -> None:
    from .tasks import send_dossier_email

    send_dossier_email.delay(dossier_id=dossier_id, event_id=None, kind="message")


def dossier_link(dossier: Dossier) -> str:
    try:
        return absolute_url(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}))
    except NoReverseMatch:
        return absolute_url("/")


def render_dossier_email(*, dossier: Dossier, event: Event | None, kind: str) -> tuple[str, str]:
    bodies, subjects = [], []
    for language in ("fr", "en"):
        with translation.override(language):
            context = {"dossier": dossier, "event": event, "kind": kind, "link": dossier_link(dossier)}
            subjects.append(render_to_string("dossiers/email/subject.txt", context).strip())
            bodies.append(render_to_string("dossiers/email/dossier_update.txt", context).strip())
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies)


def send_dossier_email_now(*, dossier_id: int, event_id: int | None, kind: str) -> None:
    dossier = Dossier.objects.select_related("applicant").get(pk=dossier_id)
    event = Event.objects.filter(pk=event_id).first() if event_id else None
    subject, body = render_dossier_email(dossier=dossier, event=event, kind=kind)
    send_service_email(to=dossier.applicant.email, subject=subject, body=body)
