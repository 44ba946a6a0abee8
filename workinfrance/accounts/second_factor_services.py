"""The staff's second factors: enrol an authenticator app or a passkey, check a code, recovery codes,
and the administrator's reset of a lost factor. Every change writes an audit Event.

Devices are the kept libraries' models (django-otp's TOTPDevice, django-otp-webauthn's credential);
recovery codes are ours because the standard here is to keep only digests of secrets."""

import hashlib
import secrets

import django_otp
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from workinfrance.core.events import event_record

from .models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# No 0/O or 1/I: the codes are read from paper. 12 characters of 32 = 60 bits each.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4


def user_has_second_factor(user: User) -> bool:
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def user_has_passkey(user: User) -> bool:
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


# --- Authenticator app (TOTP, RFC 6238: 6 digits, 30-second steps, one step of clock drift allowed) ---


def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The secret being enrolled: the same one while the page is reloaded, a new one after a reset."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name="Application d'authentification", confirmed=False
    )


def totp_enrolment_confirm(*, user: User, code: str) -> TOTPDevice | None:
    """The first code from the app proves it holds the secret: the device becomes a factor."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        event_record(actor=user, verb="account.second_factor_enrolled", target=user, data={"method": "totp"})
    return device


def totp_code_check(*, user: User, code: str) -> TOTPDevice | None:
    """A code of one of the user's apps, in the time window and never used before (the device row is
    locked while checked, so two requests with the same code cannot both pass)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


# --- Recovery codes ---


def _recovery_digest(user: User, code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{user.pk}:{normalised}".encode()).hexdigest()


def _new_recovery_code() -> str:
    return "-".join(
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )


def recovery_codes_create(*, user: User) -> list[str]:
    """Ten new single-use codes (the previous ones stop working); shown once, stored as digests."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, digest=_recovery_digest(user, code)) for code in codes
        )
        event_record(actor=user, verb="account.recovery_codes_created", target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: User, code: str) -> bool:
    with transaction.atomic():
        match = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, digest=_recovery_digest(user, code), used_at__isnull=True)
            .first()
        )
        if match is None:
            return False
        match.used_at = timezone.now()
        match.save(update_fields=["used_at"])
        event_record(
            actor=user,
            verb="account.recovery_code_used",
            target=user,
            data={"left": recovery_codes_left(user)},
        )
    return True


# --- Passkeys (the ceremony is django-otp-webauthn's; see passkeys.py) ---


def passkey_registered(*, user: User, credential: WebAuthnCredential) -> None:
    event_record(
        actor=user,
        verb="account.second_factor_enrolled",
        target=user,
        data={"method": "webauthn", "credential": credential.pk},
    )


# --- Lost factor ---


def second_factor_reset(*, actor: User, user: User) -> dict[str, int]:
    """An administrator removes every factor and recovery code of a staff member who lost them: the
    next sign-in asks to enrol again. Audited with what was removed."""
    if not actor.is_administrator:
        raise PermissionDenied("Only an administrator resets a second factor.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        removed = {
            "totp": TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0),
            "passkeys": WebAuthnCredential.objects.filter(user=user)
            .delete()[1]
            .get(WebAuthnCredential._meta.label, 0),
            "recovery_codes": RecoveryCode.objects.filter(user=user).delete()[0],
        }
        event_record(actor=actor, verb="account.second_factor_reset", target=user, data=removed)
    return removed
