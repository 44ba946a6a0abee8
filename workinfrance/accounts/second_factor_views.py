"""The second-factor step of staff: verify a code (or a passkey, see passkeys.py), enrol at first
sign-in, recovery codes. These pages are open before the second factor (SecondFactorMiddleware), so
each one checks for itself what the session may do."""

import base64
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import second_factor_services as services
from .forms import RecoveryCodeForm, TotpCodeForm
from .second_factor import (
    RECOVERY,
    TOTP,
    safe_next,
    second_factor_mark_done,
    second_factor_missing,
    second_factor_required,
)
from .throttle import Throttled, throttle_check, throttle_fail, throttle_success

THROTTLE_SCOPE = "second_factor"
# Recovery codes just created, shown once on the next page.
CODES_TO_SHOW = "wif_recovery_codes_to_show"


def may_manage_factors(request) -> bool:
    """Enrol or renew factors: staff who gave their second factor, or who have none yet (first sign-in
    or after an administrator's reset)."""
    user = request.user
    return second_factor_required(user) and (
        not second_factor_missing(request) or not services.user_has_second_factor(user)
    )


def _throttled_response(request, template: str, context: dict, throttled: Throttled):
    context["form"].add_error(None, throttled.message)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response


def _check_code(request, template: str, context: dict, check, method: str):
    """The common part of the code forms: throttle, check, count the failure or complete the step."""
    form, user = context["form"], request.user
    try:
        throttle_check(request, scope=THROTTLE_SCOPE, identifier=user.email)
    except Throttled as throttled:
        return _throttled_response(request, template, context, throttled)
    if form.is_valid() and check(form.cleaned_data["code"]):
        throttle_success(request, scope=THROTTLE_SCOPE, identifier=user.email)
        second_factor_mark_done(request, method=method)
        return None
    throttle_fail(request, scope=THROTTLE_SCOPE, identifier=user.email)
    form.errors.pop("code", None)
    form.add_error("code", _("Ce code n'est pas valide. Vérifiez-le, ou attendez le code suivant."))
    return render(request, template, context, status=200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """After the password: a code of the authenticator app, or the passkey."""
    user = request.user
    if not second_factor_missing(request):
        return redirect(safe_next(request))
    if not services.user_has_second_factor(user):
        return redirect(_with_next(request, "accounts:second_factor_setup"))
    context = {
        "form": TotpCodeForm(request.POST or None),
        "has_totp": user.totpdevice_set.filter(confirmed=True).exists(),
        "has_passkey": services.user_has_passkey(user),
        "next": safe_next(request),
    }
    if request.method == "POST":

        def check(code):
            device = services.totp_code_check(user=user, code=code)
            if device is not None:
                django_otp.login(request, device)
            return device is not None

        refused = _check_code(request, "accounts/second_factor/verify.html", context, check, TOTP)
        return refused or redirect(context["next"])
    return render(request, "accounts/second_factor/verify.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_recovery(request):
    """A lost phone or key: one of the recovery codes, once."""
    user = request.user
    if not second_factor_missing(request):
        return redirect(safe_next(request))
    context = {"form": RecoveryCodeForm(request.POST or None), "next": safe_next(request)}
    if request.method == "POST":
        refused = _check_code(
            request,
            "accounts/second_factor/recovery.html",
            context,
            lambda code: services.recovery_code_use(user=user, code=code),
            RECOVERY,
        )
        if refused:
            return refused
        left = services.recovery_codes_left(user)
        messages.warning(
            request,
            _(
                "Code de secours accepté. Il vous en reste %(left)d. Si vous avez perdu votre téléphone ou "
                "votre clé, ajoutez un nouveau moyen de vérification."
            )
            % {"left": left},
        )
        return redirect(_with_next(request, "accounts:second_factor_setup"))
    return render(request, "accounts/second_factor/recovery.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Enrol an authenticator app (QR code drawn here, never by a third party) or a passkey."""
    user = request.user
    if not second_factor_required(user):
        return redirect("accounts:after_login")
    if not may_manage_factors(request):
        return redirect(_with_next(request, "accounts:second_factor"))
    device = services.totp_enrolment_device(user=user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.totp_enrolment_confirm(user=user, code=form.cleaned_data["code"])
        if confirmed is not None:
            enrolment_completed(request, method=TOTP, device=confirmed)
            return redirect(_with_next(request, "accounts:recovery_codes"))
        form.add_error(
            "code", _("Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et réessayez.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "first_enrolment": not services.user_has_second_factor(user),
        "qr_svg": qr.svg_inline(scale=5, border=4, omitsize=False),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "has_passkey": services.user_has_passkey(user),
        "next": safe_next(request),
    }
    return render(request, "accounts/second_factor/setup.html", context)


def enrolment_completed(request, *, method: str, device) -> None:
    """A new factor works: the session counts as verified with it (it was just used), and the first
    factor comes with its recovery codes, shown once on the next page."""
    if second_factor_missing(request):
        django_otp.login(request, device)
        second_factor_mark_done(request, method=method)
    if services.recovery_codes_left(request.user) == 0:
        request.session[CODES_TO_SHOW] = services.recovery_codes_create(user=request.user)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The codes just created (once), or how many are left and a way to renew them."""
    user = request.user
    if not second_factor_required(user):
        return redirect("accounts:after_login")
    if second_factor_missing(request):
        return redirect(_with_next(request, "accounts:second_factor"))
    if request.method == "POST":
        request.session[CODES_TO_SHOW] = services.recovery_codes_create(user=user)
        return redirect(_with_next(request, "accounts:recovery_codes"))
    context = {
        "codes": request.session.pop(CODES_TO_SHOW, None),
        "left": services.recovery_codes_left(user),
        "next": safe_next(request),
    }
    return render(request, "accounts/second_factor/recovery_codes.html", context)


def _with_next(request, url_name: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': safe_next(request)})}"
