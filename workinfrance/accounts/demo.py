"""Demo staff's second factor: one known TOTP secret, printed by `make run` (development and browser
tests only: it lives in this demo module, never in settings)."""

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from .second_factor import second_factor_required

# Base32, as authenticator apps take it (20 bytes, the RFC 6238 SHA-1 key size).
DEMO_TOTP_SECRET = "WORKINFRANCEDEMOTOTPSECRET234567"
DEMO_TOTP_DEVICE_NAME = "Démo"


def seed_demo_second_factor(user) -> None:
    """Staff get the demo authenticator (the same secret for all); applicants get nothing."""
    if not second_factor_required(user):
        return
    TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE_NAME,
        defaults={"key": base64.b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
    )


def demo_second_factor_lines() -> list[str]:
    return [
        f"Staff confirm their sign-in with a TOTP code: demo secret {DEMO_TOTP_SECRET}",
        "  (add it to an authenticator app, or: "
        f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")",
    ]
