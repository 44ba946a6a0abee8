"""Public verification (QR and number + birth date), public keys, download and revocation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from workinfrance.core.events import event_record

from . import selectors, services
from .forms import RevokeForm, VerifyByNumberForm
from .jwks import jwks_document
from .keys import verification_keys


def client_ip(request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (never trust X-Forwarded-For blindly).
    return request.META.get("REMOTE_ADDR", "")


def _result(request, verification, *, status=200):
    permit = verification.permit
    can_revoke = permit is not None and selectors.permit_revocable_by(user=request.user, permit=permit)
    response = render(
        request,
        "permits/verify_result.html",
        {"verification": verification, "permit": permit, "can_revoke": can_revoke},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_GET
def verify(request, seal):
    """What the QR code opens. The status is read live: a revocation shows at once."""
    return _result(request, selectors.seal_check(text=seal))


@never_cache
@require_http_methods(["GET", "POST"])
def verify_form(request):
    form = VerifyByNumberForm(request.POST or None)
    if request.method == "POST":
        if not services.verification_attempt_allowed(client_ip=client_ip(request)):
            form = VerifyByNumberForm()
            response = render(
                request, "permits/verify_form.html", {"form": form, "throttled": True}, status=429
            )
            response["Retry-After"] = str(settings.WIF_VERIFY_THROTTLE_WINDOW)
            return response
        if form.is_valid():
            verification = selectors.permit_check(**form.cleaned_data)
            if verification is not None:
                return _result(request, verification)
            form.add_error(
                None,
                _(
                    "Aucune autorisation ne correspond à ce numéro et à cette date de naissance. Vérifiez la saisie."
                ),
            )
    return render(request, "permits/verify_form.html", {"form": form})


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    """The public keys of every seal ever issued (active and retired), for offline verifiers."""
    response = JsonResponse(jwks_document(verification_keys().values()))
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@require_GET
def download(request, number):
    permit = selectors.permit_get_for_download(user=request.user, number=number)
    event_record(actor=request.user, verb="permit.download", target=permit, data={"number": permit.number})
    response = FileResponse(
        permit.pdf.open("rb"),
        as_attachment=True,
        filename=f"{permit.number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, number):
    permit = selectors.permit_get_for_revocation(user=request.user, number=number)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.permit_revoke_by_supervisor(
                permit=permit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.PermitActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("L'autorisation %(number)s est retirée.") % {"number": permit.number})
            return redirect(reverse("permits:verify", kwargs={"seal": permit.seal}))
    return render(request, "permits/revoke.html", {"form": form, "permit": permit})
