"""Public verification (QR and number + birth date), public keys, download and revocation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from workinfrance.core.events import event_record

from . import selectors, services
from .forms import RevokeForm, VerifyByNumberForm
from .jwks import jwks_document
from .keys import verification_keys
from .models import Permit


def client_ip(request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (never trust X-Forwarded-For blindly).
    return request.META.get("REMOTE_ADDR", "")


PAGE_CACHE_SECONDS = 3600


def _context(verification) -> dict:
    return {
        "verification": verification,
        "permit": verification.permit,
        "service_name": settings.WIF_SERVICE_NAME,
    }


def _public_response(html: str, language: str) -> HttpResponse:
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    return response


def _result(request, verification):
    """The verdict for a signed-in user (a supervisor may revoke from here) or after the form."""
    permit = verification.permit
    context = _context(verification)
    context["can_revoke"] = permit is not None and selectors.permit_revocable_by(
        user=request.user, permit=permit
    )
    context["show_messages"] = True
    html = render_to_string("permits/verify_result.html", context, request=request)
    return _public_response(html, translation.get_language())


@never_cache
@require_GET
def verify(request, seal):
    """What the QR code opens. The signature check is cached, the status is read from the database
    each time (a revocation shows at once). Anonymous visitors, nearly all of them, get the page of
    that verdict from the cache: it holds nothing about the visitor (no form, no script)."""
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        language = request.LANGUAGE_CODE
    with translation.override(language):
        if request.user.is_authenticated:
            return _result(request, selectors.seal_check(text=seal))
        verdict, state, failure = selectors.seal_state(text=seal)
        key = selectors.verify_page_cache_key(verdict=verdict, state=state, language=language)
        html = cache.get(key)
        if html is None:
            permit = Permit.objects.get(pk=state.pk) if state else None
            verification = selectors.Verification(verdict, permit=permit, failure=failure)
            html = render_to_string("permits/verify_result.html", _context(verification))
            cache.set(key, html, timeout=PAGE_CACHE_SECONDS)
        return _public_response(html, language)


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
