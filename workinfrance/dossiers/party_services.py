"""The parties of a dossier (issue 15): the filer invites the other side by e-mail; whoever opens
the single-use, expiring link while signed in accepts it and joins the dossier with their account.

The link's secret is only in the e-mail: the database keeps its SHA-256. An invitation for a side
replaces the pending one (the old link stops working); an accepted one stays (its link then says
"already used")."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record
from workinfrance.core.links import absolute_url
from workinfrance.core.verbs import Verb
from workinfrance.outbox.services import outbox_email

from .errors import ActorNotAllowed, DossierActionError
from .lifecycle import Actor, actor_kinds
from .models import Dossier, DossierParty, PartySide, PartyStatus

if TYPE_CHECKING:
    from workinfrance.accounts.models import User

INVITATION_VALIDITY = timedelta(days=14)


class InvitationError(DossierActionError):
    """The link cannot be used (unknown, used, expired, or the wrong account): `message` says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def party_filer_record(*, dossier: Dossier, actor: User, side: str) -> DossierParty:
    """The filer is a party from the dossier's creation (called inside its transaction)."""
    return DossierParty.objects.create(
        dossier=dossier,
        side=side,
        status=PartyStatus.JOINED,
        email=actor.email,
        user=actor,
        accepted_at=timezone.now(),
    )


def invitable_sides(dossier: Dossier, parties: list[DossierParty] | None = None) -> list[str]:
    """The sides nobody holds yet (a pending invitation can be sent again); `parties`, when the
    caller has them, saves the query."""
    if parties is None:
        parties = list(DossierParty.objects.filter(dossier=dossier))
    taken = {party.side for party in parties if party.status == PartyStatus.JOINED}
    taken.add(dossier.filer_kind)
    return [side for side in PartySide.values if side not in taken]


def proposed_email(dossier: Dossier, side: str) -> str:
    """The address already typed in the form for that side."""
    if side == PartySide.STUDENT:
        return dossier.student_email
    if side == PartySide.EMPLOYER:
        return dossier.employer_contact_email
    return ""


def party_invite(*, dossier: Dossier, actor: User, side: str, email: str) -> str:
    """E-mail an invitation to join `dossier` as `side`; returns the link's secret (tests, e2e)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DossierActionError(_("Saisissez une adresse e-mail valide.")) from error
    if side not in PartySide.values:
        raise DossierActionError(_("Choisissez qui vous invitez."))
    if email.lower() == actor.email.lower():
        raise DossierActionError(_("C'est votre propre adresse : invitez l'autre personne."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("category").get(pk=dossier.pk)
        if Actor.OWNER not in actor_kinds(locked, actor):
            raise ActorNotAllowed(_("Vous n'êtes pas autorisé à inviter sur ce dossier."))
        if side not in invitable_sides(locked):
            raise DossierActionError(_("Cette personne a déjà rejoint le dossier."))
        party, _created = DossierParty.objects.update_or_create(
            dossier=locked,
            side=side,
            defaults={
                "status": PartyStatus.INVITED,
                "email": email,
                "user": None,
                "token_hash": token_hash(token),
                "invited_by": actor,
                "invited_at": now,
                "expires_at": now + INVITATION_VALIDITY,
                "accepted_at": None,
            },
        )
        subject, body = _render_invitation(dossier=locked, party=party, actor=actor, token=token)
        outbox_email(
            to=email,
            subject=subject,
            body=body,
            idempotency_key=f"party-invite:{party.pk}:{party.token_hash}",
        )
        event_record(actor=actor, verb=Verb.PARTY_INVITE, target=locked, data={"side": side})
    return token


def invitation_url(token: str) -> str:
    return absolute_url(reverse("applicant:invitation", kwargs={"token": token}))


def _render_invitation(*, dossier: Dossier, party: DossierParty, actor: User, token: str) -> tuple[str, str]:
    subjects, bodies = [], []
    for language in ("fr", "en"):
        with translation.override(language):
            context = {
                "dossier": dossier,
                "party": party,
                "side": party.get_side_display(),
                "inviter": actor.get_full_name() or actor.email,
                "link": invitation_url(token),
                "expires": formats.date_format(timezone.localtime(party.expires_at), "SHORT_DATE_FORMAT"),
            }
            subjects.append(render_to_string("dossiers/email/party_invitation_subject.txt", context).strip())
            bodies.append(render_to_string("dossiers/email/party_invitation.txt", context).strip())
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies)


def invitation_find(token: str) -> DossierParty:
    """The invitation behind a link, or `InvitationError` (unknown, already used, expired)."""
    party = (
        DossierParty.objects.select_related("dossier__category", "invited_by")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if party is None:
        raise InvitationError(
            _(
                "Ce lien d'invitation n'est pas valide ou a été remplacé par une invitation plus récente. "
                "Vérifiez qu'il est complet, ou demandez une nouvelle invitation."
            )
        )
    if party.status == PartyStatus.JOINED:
        raise InvitationError(
            _(
                "Cette invitation a déjà été utilisée. Connectez-vous avec le compte qui l'a acceptée, "
                "ou demandez une nouvelle invitation."
            )
        )
    if party.expires_at is not None and party.expires_at <= timezone.now():
        raise InvitationError(
            _(
                "Cette invitation a expiré le %(date)s. Demandez à la personne qui vous a invité(e) de la renouveler."
            )
            % {"date": formats.date_format(timezone.localtime(party.expires_at), "SHORT_DATE_FORMAT")}
        )
    return party


def invitation_email_mismatch(party: DossierParty, user: User) -> bool:
    return party.email.strip().lower() != user.email.strip().lower()


def party_accept(*, token: str, user: User, other_email_confirmed: bool = False) -> DossierParty:
    """Bind `user` to the invitation. Any applicant account may accept (people have several
    addresses), but one signed in with another address than the invited one must confirm it."""
    if not (user.is_authenticated and user.is_active and user.is_applicant):
        raise InvitationError(
            _("Seul un compte usager peut rejoindre un dossier : connectez-vous avec votre compte personnel.")
        )
    with transaction.atomic():
        found = invitation_find(token)
        party = DossierParty.objects.select_for_update().get(pk=found.pk)
        if party.token_hash != found.token_hash or party.status != PartyStatus.INVITED:
            raise InvitationError(_("Cette invitation a déjà été utilisée."))
        dossier = party.dossier
        if (
            dossier.applicant_id == user.pk
            or DossierParty.objects.filter(dossier=dossier, user=user).exists()
        ):
            raise InvitationError(
                _(
                    "Votre compte fait déjà partie de ce dossier : ce lien est destiné à l'autre personne. "
                    "Transmettez-le-lui, ou déconnectez-vous pour qu'elle l'ouvre avec son compte."
                )
            )
        if invitation_email_mismatch(party, user) and not other_email_confirmed:
            raise InvitationError(
                _(
                    "Cette invitation a été envoyée à %(invited)s et vous êtes connecté(e) avec %(current)s. "
                    "Confirmez que vous rejoignez le dossier avec ce compte, ou connectez-vous avec l'autre."
                )
                % {"invited": party.email, "current": user.email}
            )
        party.user = user
        party.status = PartyStatus.JOINED
        party.accepted_at = timezone.now()
        try:
            with transaction.atomic():
                party.save()
        except IntegrityError as error:
            raise InvitationError(_("Cette invitation a déjà été utilisée.")) from error
        event_record(
            actor=user,
            verb=Verb.PARTY_ACCEPT,
            target=dossier,
            data={"side": party.side, "other_email": invitation_email_mismatch(party, user)},
        )
    return party
