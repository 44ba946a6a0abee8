"""E-mails about a dossier: to its applicant at each state change and agent message, with the reason
when a decision is reopened or a permit revoked; to its agent when a file comes back completed or is
assigned to them.

State-change e-mails are bilingual (French, then English) because the reader may not read French yet.
The decision e-mails (reopening, revocation) and the agents' e-mails are written in each recipient's
language. Never the content of documents or messages: only what happened and a link to the dossier.

Called inside the transaction of the change: the e-mail is rendered now (the state it reports)
and written to the outbox with it, so it is sent once committed, whatever happens to the broker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

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


if TYPE_CHECKING:
    from workinfrance.accounts.models import User


def applicant_recipients(dossier: Dossier) -> list[User]:
    """The accepted parties on the applicant's side, the filer first, each address once (the users of
    `dossier_recipients`): the decision e-mails are written in each one's language."""
    users = [dossier.applicant] + [
        party.user
        for party in DossierParty.objects.filter(dossier=dossier, status=PartyStatus.JOINED)
        .exclude(user_id=dossier.applicant_id)
        .select_related("user")
        .order_by("side")
        if party.user
    ]
    seen: set[str] = set()
    unique = []
    for user in users:
        if user.email and user.email.lower() not in seen:
            seen.add(user.email.lower())
            unique.append(user)
    return unique


def user_language(user: User) -> str:
    return user.preferred_language if user.preferred_language in ("fr", "en") else "fr"


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


def backoffice_link(dossier: Dossier) -> str:
    try:
        return absolute_url(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}))
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


def _send_in_language(
    *, recipient: User, template: str, context: Mapping[str, object], idempotency_key: str
) -> None:
    """One e-mail in the recipient's language: `<template>_subject.txt` and `<template>.txt`."""
    with translation.override(user_language(recipient)):
        full = {**context, "recipient": recipient}
        subject = render_to_string(f"dossiers/email/{template}_subject.txt", full).strip()
        body = render_to_string(f"dossiers/email/{template}.txt", full).strip()
    outbox_email(to=recipient.email, subject=subject, body=body, idempotency_key=idempotency_key)


def decision_reopened(*, dossier: Dossier, event: Event, reason: str, revoked_permits: list[str]) -> None:
    """The decision is reopened for a new review (its permits revoked): why, to the applicant's side."""
    for recipient in applicant_recipients(dossier):
        _send_in_language(
            recipient=recipient,
            template="reopened",
            context={
                "dossier": dossier,
                "reason": reason,
                "revoked_permits": revoked_permits,
                "link": dossier_link(dossier),
            },
            idempotency_key=f"dossier-event:{event.pk}:{recipient.pk}",
        )


def permit_revoked(*, dossier: Dossier, letter_id: int, number: str, reason: str) -> None:
    """A supervisor withdrew the dossier's permit: why, and where the decision letter is."""
    for recipient in applicant_recipients(dossier):
        _send_in_language(
            recipient=recipient,
            template="revoked",
            context={"dossier": dossier, "number": number, "reason": reason, "link": dossier_link(dossier)},
            idempotency_key=f"permit-revoked:{letter_id}:{recipient.pk}",
        )


def complements_received(*, dossier: Dossier, event: Event) -> None:
    """The applicant answered a complement request: the dossier's agent has it back to review."""
    if dossier.assignee is None:
        return
    _send_in_language(
        recipient=dossier.assignee,
        template="complements_received",
        context={"dossier": dossier, "link": backoffice_link(dossier)},
        idempotency_key=f"dossier-event:{event.pk}:assignee",
    )


def dossier_assigned(*, dossier: Dossier, event: Event, actor: User) -> None:
    """A supervisor gave the dossier to an agent: the agent is told (not when they took it themselves)."""
    assignee = dossier.assignee
    if assignee is None or assignee.pk == actor.pk:
        return
    _send_in_language(
        recipient=assignee,
        template="assigned",
        context={"dossier": dossier, "actor": actor, "link": backoffice_link(dossier)},
        idempotency_key=f"dossier-event:{event.pk}:assignee",
    )
