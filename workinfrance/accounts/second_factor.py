"""Staff never work on a password alone (DESIGN §8): who needs a second factor, and the one check.

A session has passed the second factor when `request.session[SESSION_KEY]` is truthy. It holds how:
"totp", "webauthn" or "recovery" (set by `second_factor_mark_done` after the step's views checked a
code or a passkey), or "proconnect-mfa" (set by the ProConnect sign-in when the provider's `amr`
says it already asked for one). `SecondFactorMiddleware` sends every staff session that has not
passed it to the second-factor step, whatever page it asks for: the back office, the admin, and any
page added later."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Role

SESSION_KEY = "wif_second_factor"
# How the second factor was given (ProConnect's own value is set by the OIDC sign-in).
TOTP, WEBAUTHN, RECOVERY = "totp", "webauthn", "recovery"
ROLES_WITH_SECOND_FACTOR = {Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}

# Reachable before the second factor: the account pages (sign-in, the step itself, sign-out, password
# reset: none shows back-office data), the passkey ceremony, the FranceConnect/ProConnect sign-in and
# sign-out, and the language switch. The REST API (`api-v1`) never reads the session: its callers
# authenticate with a token on every request.
OPEN_NAMESPACES = {"accounts", "otp_webauthn", "oidc", "api-v1"}
OPEN_URL_NAMES = {"core:set_language"}


def second_factor_required(user) -> bool:
    """Agents, supervisors and administrators, and anyone who can open the admin."""
    return bool(
        user.is_authenticated
        and (user.role in ROLES_WITH_SECOND_FACTOR or user.is_staff or user.is_superuser)
    )


def second_factor_missing(request) -> bool:
    """THE check: this session belongs to someone who needs a second factor and has not given one."""
    return second_factor_required(request.user) and not request.session.get(SESSION_KEY)


def second_factor_mark_done(request, *, method: str) -> None:
    """After a verified code or passkey. A new session key: the elevated session is not the one an
    attacker may have planted before the password."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = method


def safe_next(request, default: str = "accounts:after_login") -> str:
    """Where to go once the step is done: the page that was asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _is_open(path: str) -> bool:
    if path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace in OPEN_NAMESPACES or match.view_name in OPEN_URL_NAMES


class SecondFactorMiddleware:
    """Sends staff who have not given their second factor to the step (or to enrol, at first sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if second_factor_missing(request) and not _is_open(request.path_info):
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(f"{reverse('accounts:second_factor')}{'?' + query if query else ''}")
        return self.get_response(request)
