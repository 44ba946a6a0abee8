"""What a verified FranceConnect or ProConnect sign-in does to accounts: sign in, create, link, or refuse.

No silent takeover: an existing account is linked to a provider identity only once its owner typed
the account's password or opened a link sent to the account's address. Staff exist only by an
administrator's invitation: ProConnect signs in an agent whose address an administrator created as
staff of a unit, and never makes anyone staff."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workinfrance.accounts.models import Role, User
from workinfrance.core.emails import send_service_email
from workinfrance.core.events import event_record
from workinfrance.core.links import absolute_url
from workinfrance.dossiers.identity import CertifiedIdentity

from .models import OidcIdentity
from .protocol import SignIn
from .providers import FRANCECONNECT, PROCONNECT, SPECS

# Claims kept with the identity (never the tokens).
KEPT_CLAIMS = {
    FRANCECONNECT: (
        "given_name",
        "family_name",
        "birthdate",
        "birthplace",
        "birthcountry",
        "gender",
        "email",
        "acr",
    ),
    PROCONNECT: ("given_name", "usual_name", "email", "siret", "uid", "amr", "acr"),
}
LINK_MAX_PASSWORD_ATTEMPTS = 5
LINK_TOKEN_MAX_AGE = 24 * 3600
LINK_TOKEN_SALT = "workinfrance.oidc.link"


@dataclass(frozen=True)
class Granted:
    user: User
    created: bool = False


@dataclass(frozen=True)
class LinkNeeded:
    identity: OidcIdentity


@dataclass(frozen=True)
class Refused:
    message: str
    verb: str
    # The account concerned, when there is one: the refusal is written in its audit trail.
    user: User | None = None


def _kept(sign_in: SignIn) -> dict[str, object]:
    return {key: sign_in.claims[key] for key in KEPT_CLAIMS[sign_in.provider] if key in sign_in.claims}


def _email(sign_in: SignIn) -> str:
    return str(sign_in.claims.get("email") or "").strip().lower()


def _signed_in(identity: OidcIdentity, sign_in: SignIn, *, created: bool = False) -> Granted:
    identity.claims = _kept(sign_in)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["claims", "last_login_at"])
    event_record(
        actor=identity.user,
        verb="account.signed_in",
        target=identity.user,
        data={"method": sign_in.provider, "amr": list(sign_in.amr), "acr": sign_in.acr},
    )
    return Granted(identity.user, created=created)


def _pending_link(user: User, sign_in: SignIn) -> LinkNeeded | Refused:
    """Keep the identity aside until the account's owner confirms; one pending link per account and provider."""
    if user.oidc_identities.filter(provider=sign_in.provider, confirmed=True).exists():
        return Refused(
            _("Ce compte est déjà relié à une autre identité %(provider)s.")
            % {"provider": SPECS[sign_in.provider].label},
            verb="oidc.refused_other_identity",
        )
    with transaction.atomic():
        OidcIdentity.objects.filter(provider=sign_in.provider, confirmed=False).filter(user=user).delete()
        OidcIdentity.objects.filter(provider=sign_in.provider, sub=sign_in.sub, confirmed=False).delete()
        identity = OidcIdentity.objects.create(
            user=user, provider=sign_in.provider, sub=sign_in.sub, claims=_kept(sign_in)
        )
        event_record(actor=None, verb="oidc.link_requested", target=user, data={"provider": sign_in.provider})
    return LinkNeeded(identity)


def _applicant_create(sign_in: SignIn, *, first_name: str, last_name: str) -> Granted:
    """A new applicant account owned by the provider identity; its address is the one the provider vouches for."""
    with transaction.atomic():
        user = User.objects.create(
            email=_email(sign_in),
            password=make_password(None),
            first_name=first_name[:150],
            last_name=last_name[:150],
            role=Role.APPLICANT,
            email_confirmed=True,
            preferred_language=translation.get_language() or "fr",
        )
        identity = OidcIdentity.objects.create(
            user=user, provider=sign_in.provider, sub=sign_in.sub, confirmed=True, claims=_kept(sign_in)
        )
        event_record(actor=user, verb="account.signed_up", target=user, data={"method": sign_in.provider})
        event_record(
            actor=user, verb="oidc.linked", target=user, data={"provider": sign_in.provider, "by": "sign_up"}
        )
        return _signed_in(identity, sign_in, created=True)


def _confirmed_identity(sign_in: SignIn) -> OidcIdentity | None:
    return (
        OidcIdentity.objects.select_related("user")
        .filter(provider=sign_in.provider, sub=sign_in.sub, confirmed=True)
        .first()
    )


def franceconnect_sign_in(sign_in: SignIn) -> Granted | LinkNeeded | Refused:
    """FranceConnect is for applicants: sign in the linked account, create one, or ask to link."""
    identity = _confirmed_identity(sign_in)
    if identity is not None:
        if not (identity.user.is_active and identity.user.is_applicant):
            return Refused(
                _("Ce compte ne peut pas se connecter avec FranceConnect."), verb="oidc.refused_inactive"
            )
        return _signed_in(identity, sign_in)
    email = _email(sign_in)
    if not email:
        return Refused(_("FranceConnect n'a pas transmis d'adresse e-mail."), verb="oidc.refused_no_email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return _applicant_create(
            sign_in,
            first_name=str(sign_in.claims.get("given_name", "")),
            last_name=str(sign_in.claims.get("family_name", "")),
        )
    if not (user.is_active and user.is_applicant):
        return Refused(
            _(
                "Cette adresse appartient à un compte professionnel : FranceConnect est réservé aux demandeurs."
            ),
            verb="oidc.refused_professional_account",
        )
    return _pending_link(user, sign_in)


def _staff_may_sign_in(user: User) -> bool:
    return user.is_active and user.is_agent and user.units.exists()


def proconnect_sign_in(sign_in: SignIn, *, purpose: str) -> Granted | LinkNeeded | Refused:
    """ProConnect: agents invited by an administrator, and employers (the SIRET comes with them).

    `purpose` is the entry the person chose: "agent" never creates an account; "employer" creates
    or links an applicant account."""
    not_staff = Refused(
        _(
            "Votre adresse professionnelle n'est pas enregistrée comme agent d'une unité. "
            "Demandez à l'administrateur du service de vous inviter ; aucun compte n'a été créé."
        ),
        verb="oidc.refused_unknown_professional",
    )
    identity = _confirmed_identity(sign_in)
    user = identity.user if identity else User.objects.filter(email__iexact=_email(sign_in)).first()
    if user is not None:
        not_staff = Refused(not_staff.message, verb=not_staff.verb, user=user)
    if user is not None and user.is_agent:
        if not _staff_may_sign_in(user):
            return not_staff
        if identity is None and user.oidc_identities.filter(provider=PROCONNECT, confirmed=True).exists():
            return Refused(
                _("Ce compte est déjà relié à une autre identité ProConnect."),
                verb="oidc.refused_other_identity",
            )
        if identity is None:
            # The administrator created this address as staff of a unit: that invitation is the link.
            identity = _identity_link(user, sign_in, by="staff_invitation")
        return _signed_in(identity, sign_in)
    if purpose == "agent" or (user is not None and not user.is_applicant):
        return not_staff
    if user is not None and not user.is_active:
        return Refused(_("Ce compte est désactivé."), verb="oidc.refused_inactive")
    if identity is not None:
        return _signed_in(identity, sign_in)
    if user is not None:
        return _pending_link(user, sign_in)
    if not _email(sign_in):
        return Refused(_("ProConnect n'a pas transmis d'adresse e-mail."), verb="oidc.refused_no_email")
    return _applicant_create(
        sign_in,
        first_name=str(sign_in.claims.get("given_name", "")),
        last_name=str(sign_in.claims.get("usual_name", "")),
    )


def _identity_link(user: User, sign_in: SignIn, *, by: str) -> OidcIdentity:
    with transaction.atomic():
        OidcIdentity.objects.filter(provider=sign_in.provider, confirmed=False).filter(user=user).delete()
        identity = OidcIdentity.objects.create(
            user=user, provider=sign_in.provider, sub=sign_in.sub, confirmed=True, claims=_kept(sign_in)
        )
        event_record(
            actor=user, verb="oidc.linked", target=user, data={"provider": sign_in.provider, "by": by}
        )
    return identity


# ---- Confirming a pending link ----


def identity_link_confirm_with_password(*, identity: OidcIdentity, password: str) -> bool:
    """The account's password confirms the link; a few wrong ones drop the pending link."""
    with transaction.atomic():
        identity = OidcIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
        if identity.confirmed:
            return True
        if not identity.user.check_password(password):
            identity.failed_attempts += 1
            if identity.failed_attempts >= LINK_MAX_PASSWORD_ATTEMPTS:
                event_record(
                    actor=None,
                    verb="oidc.link_abandoned",
                    target=identity.user,
                    data={"provider": identity.provider},
                )
                identity.delete()
            else:
                identity.save(update_fields=["failed_attempts"])
            return False
        _link_confirmed(identity, by="password")
    return True


def _link_confirmed(identity: OidcIdentity, *, by: str) -> None:
    identity.confirmed = True
    identity.failed_attempts = 0
    identity.save(update_fields=["confirmed", "failed_attempts"])
    event_record(
        actor=identity.user,
        verb="oidc.linked",
        target=identity.user,
        data={"provider": identity.provider, "by": by},
    )


def link_token(identity: OidcIdentity) -> str:
    return signing.dumps({"identity": identity.pk, "sub": identity.sub}, salt=LINK_TOKEN_SALT)


def identity_link_send_email(*, identity: OidcIdentity) -> None:
    """Mail the account's own address a link that confirms the pending link."""
    user = identity.user
    url = absolute_url(reverse("oidc:link_email", kwargs={"token": link_token(identity)}))
    with translation.override(user.preferred_language):
        send_service_email(
            to=user.email,
            subject=translation.gettext("Reliez votre compte à %(provider)s")
            % {"provider": identity.get_provider_display()},
            body=render_to_string(
                "oidc/email/link.txt", {"user": user, "url": url, "provider": identity.get_provider_display()}
            ),
        )
    event_record(actor=None, verb="oidc.link_email_sent", target=user, data={"provider": identity.provider})


def identity_link_confirm_with_token(*, token: str) -> OidcIdentity | None:
    try:
        data = signing.loads(token, salt=LINK_TOKEN_SALT, max_age=LINK_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    with transaction.atomic():
        identity = (
            OidcIdentity.objects.select_for_update()
            .select_related("user")
            .filter(pk=data.get("identity"), sub=data.get("sub"))
            .first()
        )
        if identity is None:
            return None
        if not identity.confirmed:
            _link_confirmed(identity, by="email")
    return identity


# ---- What the dossiers take from the identities ----


def certified_identity_for(user: User) -> CertifiedIdentity | None:
    """The student identity FranceConnect certified for this applicant, if complete."""
    identity = user.oidc_identities.filter(provider=FRANCECONNECT, confirmed=True).first()
    if identity is None:
        return None
    claims = identity.claims
    try:
        birth_date = date.fromisoformat(str(claims.get("birthdate", "")))
    except ValueError:
        return None
    if not (claims.get("given_name") and claims.get("family_name")):
        return None
    return CertifiedIdentity(
        source=FRANCECONNECT,
        first_name=str(claims["given_name"])[:150],
        last_name=str(claims["family_name"])[:150],
        birth_date=birth_date,
    )


def employer_siret_for(user: User) -> str:
    """The SIRET of the organisation ProConnect attached to this employer's account, or ''."""
    identity = user.oidc_identities.filter(provider=PROCONNECT, confirmed=True).first()
    siret = "".join(str((identity.claims if identity else {}).get("siret", "")).split())
    return siret if len(siret) == 14 and siret.isdigit() else ""


def sign_in_refusal_record(refused: Refused, *, provider: str) -> None:
    """Write a refused sign-in into the account's audit trail (an unknown person has none)."""
    if refused.user is not None:
        event_record(actor=None, verb=refused.verb, target=refused.user, data={"provider": provider})


def signed_in_record(*, user: User, method: str) -> None:
    """A sign-in completed by linking an identity (the other sign-ins are recorded where they happen)."""
    event_record(actor=user, verb="account.signed_in", target=user, data={"method": method})


def signed_out_record(*, user: User, method: str) -> None:
    event_record(actor=user, verb="account.signed_out", target=user, data={"method": method})
