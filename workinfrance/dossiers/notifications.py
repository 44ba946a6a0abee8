"""E-mails to the applicant: at each state change and each agent message.

Bilingual (French, then English) because the reader may not read French yet. Never the
content of documents or messages: only what happened and a link to the dossier.

Called inside the transaction of the change: the e-mail is rendered now (the state it reports)
and written to the outbox with it, so it is sent once committed, whatever happens to the broker."""

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from workinfrance.core.links import absolute_url
from workinfrance.core.models import Event
from workinfrance.outbox.services import outbox_email

from .models import Dossier, DossierParty, Message, PartyStatus


def dossier_recipients(dossier: Dossier) -> list[tuple[str, str]]:
    """(address, first name) of every accepted party, the filer first, each address once."""
    recipients = [(dossier.applicant.email, dossier.applicant.get_short_name())]
    parties = (
        DossierParty.objects.filter(dossier=dossier, status=PartyStatus.JOINED)
        .exclude(user_id=dossier.applicant_id)
        .select_related("user")
        .order_by("side")
    )
    recipients += [(party.user.email, party.user.get_short_name()) for party in parties if party.user]
    seen, unique = set(), []
    for address, name in recipients:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append((address, name))
    return unique


def state_changed(*, dossier: Dossier, event: Event) -> None:
    for address, name in dossier_recipients(dossier):
        subject, body = render_dossier_email(dossier=dossier, event=event, kind="state", recipient_name=name)
        outbox_email(to=address, subject=subject, body=body, idempotency_key=f"dossier-event:{event.pk}")


def message_posted(*, dossier: Dossier, message: Message) -> None:
    for address, name in dossier_recipients(dossier):
        subject, body = render_dossier_email(dossier=dossier, event=None, kind="message", recipient_name=name)
        outbox_email(to=address, subject=subject, body=body, idempotency_key=f"dossier-message:{message.pk}")


def dossier_link(dossier: Dossier) -> str:
    try:
        return absolute_url(reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}))
    except NoReverseMatch:
        return absolute_url("/")


def render_dossier_email(
    *, dossier: Dossier, event: Event | None, kind: str, recipient_name: str = ""
) -> tuple[str, str]:
    bodies, subjects = [], []
    for language in ("fr", "en"):
        with translation.override(language):
            context = {
                "dossier": dossier,
                "event": event,
                "kind": kind,
                "link": dossier_link(dossier),
                "recipient_name": recipient_name or dossier.applicant.get_short_name(),
            }
            subjects.append(render_to_string("dossiers/email/subject.txt", context).strip())
            bodies.append(render_to_string("dossiers/email/dossier_update.txt", context).strip())
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies)
