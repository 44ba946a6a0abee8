"""Where this sign-in meets the staff's second factor (issue 12, the MFA half)."""

from workinfrance.accounts.second_factor import SESSION_KEY as SECOND_FACTOR_SESSION_KEY

from .protocol import SignIn
from .providers import PROCONNECT


def second_factor_from_proconnect(request, sign_in: SignIn) -> bool:
    """Record that ProConnect already checked a second factor, so staff are not asked again.

    Contract with the second-factor enforcement: after a ProConnect sign-in whose ID token's `amr`
    contains "mfa", `request.session["wif_second_factor"]` is set to "proconnect-mfa" (a TOTP or
    WebAuthn check sets it to "totp" or "webauthn"). Without "mfa" nothing is set and the staff
    member is asked for their own second factor. Call after `login()`, which renews the session."""
    if sign_in.provider != PROCONNECT or "mfa" not in sign_in.amr:
        return False
    request.session[SECOND_FACTOR_SESSION_KEY] = "proconnect-mfa"
    return True
