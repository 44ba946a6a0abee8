"""Staff accounts from the service's own pages: invitation by e-mail (the person chooses their own
password, then enrols a second factor at first sign-in, or comes through ProConnect), and
deactivation. Administrators act on any unit; supervisors invite and deactivate their unit's agents.
Every change is audited."""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record
from workinfrance.core.links import absolute_url
from workinfrance.outbox.services import outbox_email
from workinfrance.territories.models import Unit
from workinfrance.territories.services import units_administered_by

from .models import Role, User


class StaffAdminError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def roles_invitable_by(actor) -> list[Role]:
    if actor.is_administrator:
        return [Role.AGENT, Role.SUPERVISOR]
    if actor.is_supervisor:
        return [Role.AGENT]
    return []


def _check_manages(actor, unit: Unit) -> None:
    if not units_administered_by(actor).filter(pk=unit.pk).exists():
        raise StaffAdminError(_("Vous ne gérez pas cette unité."))


def staff_invite(
    *, actor, unit: Unit, email: str, first_name: str, last_name: str, role: str, language: str = "fr"
) -> User:
    """Create the account (no password) and e-mail a link to choose one (valid
    PASSWORD_RESET_TIMEOUT, spent once used); sent once the change is committed (outbox)."""
    _check_manages(actor, unit)
    if role not in roles_invitable_by(actor):
        raise StaffAdminError(_("Vous ne pouvez pas inviter une personne à ce rôle."), field="role")
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise StaffAdminError(
            _("Un compte existe déjà avec cette adresse : demandez à un administrateur de le rattacher."),
            field="email",
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=None,  # unusable until the person chooses one through the link
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            role=role,
            preferred_language=language,
            email_confirmed=True,  # the link proves the address before any sign-in is possible
        )
        user.units.set([unit])
        event_record(actor=actor, verb="staff.invite", target=user, data={"unit": unit.pk, "role": role})
        _send_invitation(user=user, unit=unit, actor=actor)
    return user


def _send_invitation(*, user: User, unit: Unit, actor) -> None:
    link = absolute_url(
        reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "unit": unit,
            "inviter": actor.get_full_name() or actor.email,
            "link": link,
            "proconnect": unit.require_proconnect,
            "login_url": absolute_url(reverse("accounts:login")),
        }
        subject = _("Invitation à instruire les demandes d'APT — %(unit)s") % {"unit": unit.name}
        body = render_to_string("accounts/email/staff_invitation.txt", context)
    outbox_email(to=user.email, subject=subject, body=body, idempotency_key=f"staff-invite:{user.pk}")


def staff_deactivate(*, actor, user: User) -> User:
    """The account can no longer sign in (its sessions end at their next request); its dossiers
    stay assigned until a supervisor reassigns them (the page lists them)."""
    if user.pk == actor.pk:
        raise StaffAdminError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if user.role not in (Role.AGENT, Role.SUPERVISOR):
        raise StaffAdminError(_("Seuls les comptes d'agents se gèrent ici."))
    managed = units_administered_by(actor)
    if not managed.filter(pk__in=user.units.values("pk")).exists():
        raise StaffAdminError(_("Vous ne gérez pas l'unité de cette personne."))
    if user.role not in roles_invitable_by(actor):
        raise StaffAdminError(_("Seul un administrateur peut désactiver un responsable d'unité."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            event_record(actor=actor, verb="staff.deactivate", target=locked)
    return locked
