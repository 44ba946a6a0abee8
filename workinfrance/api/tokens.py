"""Token services: create (secret shown once), revoke, and authenticate a bearer secret."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record

from .models import ApiToken, OwnerKind, Scope
from .owners import employer_sirets, owner_still_allowed, units_managed_by

TOKEN_PREFIX = "wif"


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hash(secret: str) -> str:
    # The secret is 256 random bits: a fast hash is enough (nothing to brute-force), no salt needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def token_create(*, actor, name: str, scopes, expires_at, unit=None, employer_siret: str = "") -> NewToken:
    """A supervisor creates a token for one of their units, an employer account for one of its SIRETs."""
    scopes = sorted(set(scopes))
    if not name.strip():
        raise TokenError(_("Donnez un nom au jeton."))
    if not scopes or set(scopes) - set(Scope.values):
        raise TokenError(_("Choisissez au moins un droit."))
    if expires_at <= timezone.now():
        raise TokenError(_("La date d'expiration doit être dans le futur."))
    token = ApiToken(name=name.strip(), scopes=scopes, expires_at=expires_at, created_by=actor)
    if unit is not None:
        if not units_managed_by(actor).filter(pk=unit.pk).exists():
            raise TokenError(_("Seul un responsable de l'unité peut créer ses jetons."))
        token.owner_kind, token.unit = OwnerKind.UNIT, unit
    else:
        if employer_siret not in employer_sirets(actor):
            raise TokenError(_("Ce SIRET n'est pas celui d'un employeur de votre compte."))
        if Scope.DOSSIERS_ACT in scopes:
            raise TokenError(_("Un employeur ne décide pas des dossiers."))
        token.owner_kind, token.employer, token.employer_siret = OwnerKind.EMPLOYER, actor, employer_siret
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token.prefix, token.secret_hash = prefix, _hash(secret)
    with transaction.atomic():
        token.save()
        event_record(
            actor=actor,
            verb="api_token.create",
            target=token,
            data={"token": token.pk, "scopes": scopes, "owner": token.owner_label},
        )
    return NewToken(token, f"{TOKEN_PREFIX}_{prefix}_{secret}")


def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.created_by_id != actor.pk and not owner_allows_management(locked, actor):
            raise TokenError(_("Vous ne pouvez pas révoquer ce jeton."))
        if locked.revoked_at is None:
            locked.revoked_at, locked.revoked_by = timezone.now(), actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
            event_record(actor=actor, verb="api_token.revoke", target=locked, data={"token": locked.pk})
    return locked


def owner_allows_management(owned, user) -> bool:
    """Supervisors of the unit manage its tokens and webhooks; an employer account manages its own."""
    if owned.owner_kind == OwnerKind.UNIT:
        return units_managed_by(user).filter(pk=owned.unit_id).exists()
    return owned.employer_id == user.pk


def token_authenticate(presented: str) -> ApiToken | None:
    """The usable token for a presented `wif_<prefix>_<secret>`, or None (unknown, wrong secret,
    expired, revoked, or its creator no longer answers for its owner)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) > 16:
        return None
    token = ApiToken.objects.select_related("created_by", "unit").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.is_usable or not token.created_by.is_active or not owner_still_allowed(token):
        return None
    return token
