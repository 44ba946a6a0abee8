"""Public verification (QR and number + birth date), public keys, download and revocation."""

import json
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from workinfrance.accounts.throttle import Throttled, ThrottleUnavailable, throttle_check, throttle_fail

from . import scanner_assets, selectors, services
from .forms import RevokeForm, VerifyByNumberForm
from .jwks import jwks_document
from .keys import SigningKeyMissing, verification_keys
from .models import Permit
from .pdf import permit_pdf_response
from .revocation_feed import revocation_list_current

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)
PAGE_MEMO_SIZE = 512
_pages: OrderedDict[str, str] = OrderedDict()
_pages_lock = threading.Lock()


def _page_memo(key: str, build) -> str:
    """Rendered public pages, per process (least recently used go first). The key names everything
    the page shows, including the permit's status, so an entry is never stale, only unused."""
    with _pages_lock:
        html = _pages.get(key)
        if html is not None:
            _pages.move_to_end(key)
            return html
    html = build()
    with _pages_lock:
        _pages[key] = html
        while len(_pages) > PAGE_MEMO_SIZE:
            _pages.popitem(last=False)
    return html


def _context(verification) -> dict:
    return {
        "verification": verification,
        "permit": verification.permit,
        "SERVICE_NAME": settings.WIF_SERVICE_NAME,  # as the context processor names it for base.html
    }


def _public_response(html: str, language: str) -> HttpResponse:
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    # The status may change at any time: never kept by browsers or proxies (never_cache, but cheaper).
    response["Cache-Control"] = "no-store, private, max-age=0"
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


@require_GET
def verify(request, seal):
    """What the QR code opens: the signature check is remembered, the status is current (a
    revocation shows at once). Anonymous visitors, nearly all of them, get the page of that verdict
    already rendered: it holds nothing about the visitor (no form, no script). Kept lean: it is
    the one page every employer's phone opens."""
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if language not in LANGUAGE_CODES:
        language = request.LANGUAGE_CODE
    # No session cookie, no user: skip loading one (most visitors come from a phone's camera).
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
        with translation.override(language):
            return _result(request, selectors.seal_check(text=seal))
    today = timezone.localdate()
    verdict, state, failure = selectors.seal_state(text=seal, today=today)
    key = selectors.verify_page_cache_key(verdict=verdict, state=state, language=language, today=today)

    def build() -> str:
        permit = Permit.objects.get(pk=state.pk) if state else None
        verification = selectors.Verification(verdict, permit=permit, failure=failure)
        with translation.override(language):
            return render_to_string("permits/verify_result.html", _context(verification))

    return _public_response(_page_memo(key, build), language)


@never_cache
@require_http_methods(["GET", "POST"])
def verify_form(request):
    form = VerifyByNumberForm(request.POST or None)
    if request.method == "POST":
        # Keyed on the number (against birth-date guessing) and the client (against enumeration).
        number = selectors.normalize_number(request.POST.get("number", ""))
        try:
            throttle_check(request, scope="permit_lookup", identifier=number)
        except ThrottleUnavailable as unavailable:  # the counters are out of reach: fails closed
            context = {"form": VerifyByNumberForm(), "unavailable": unavailable.message}
            response = render(request, "permits/verify_form.html", context, status=unavailable.status)
            response["Retry-After"] = str(unavailable.retry_after)
            return response
        except Throttled as throttled:
            form = VerifyByNumberForm()
            response = render(
                request, "permits/verify_form.html", {"form": form, "throttled": True}, status=429
            )
            response["Retry-After"] = str(throttled.retry_after)
            return response
        if form.is_valid():
            verification = selectors.permit_check(**form.cleaned_data)
            if verification is not None:
                return _result(request, verification)
            throttle_fail(request, scope="permit_lookup", identifier=number)
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
    if permit is None:
        raise Http404
    services.permit_download_record(permit=permit, actor=request.user)
    return permit_pdf_response(permit)


@login_required
@require_GET
def decision_letter_download(request, uuid):
    """The signed decision letter, for the dossier's parties and its unit's staff; 404 for anyone else."""
    letter = selectors.decision_letter_get_for_download(user=request.user, uuid=uuid)
    if letter is None:
        raise Http404
    services.decision_letter_download_record(letter=letter, actor=request.user)
    response = FileResponse(
        letter.pdf.open("rb"),
        as_attachment=True,
        filename=letter.download_name,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, number):
    permit = selectors.permit_get_for_revocation(user=request.user, number=number)
    if permit is None:
        raise Http404
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.permit_revoke_by_supervisor(
                permit=permit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.PermitActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "L'autorisation %(number)s est retirée. Le titulaire est prévenu par e-mail et reçoit la lettre de décision signée."
                )
                % {"number": permit.number},
            )
            # Back to the dossier's screen in the back office (reversed by name: no import of it).
            return redirect(reverse("backoffice:dossier", kwargs={"uuid": permit.dossier.uuid}))
    return render(request, "permits/revoke.html", {"form": form, "permit": permit})


@require_GET
def revocations(request):
    """The signed list of revoked, unexpired permits (COSE_Sign1), for offline verifiers."""
    try:
        data = revocation_list_current()
    except SigningKeyMissing:
        return HttpResponse(status=503)
    response = HttpResponse(data, content_type="application/cose")
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The scanner compiles the QR decoder (WebAssembly): 'wasm-unsafe-eval' allows compiling wasm and
# nothing else (no eval, no inline script); only this page gets it, and the camera permission.
SCANNER_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'; "
    "manifest-src 'self'"
)


@require_GET
def scanner(request):
    """The offline scanner: the same page for everyone (no form, no user), kept by its service worker."""
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if language not in LANGUAGE_CODES:
        language = request.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "SERVICE_NAME": settings.WIF_SERVICE_NAME,  # as the context processor names it for base.html
            "assets": scanner_assets.asset_urls(),
            "scanner_messages": scanner_assets.messages(),
        }
        html = render_to_string("permits/scanner.html", context)
    response = HttpResponse(html)
    response["Content-Language"] = language
    response["Content-Security-Policy"] = SCANNER_CSP
    response["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def scanner_service_worker(request):
    """The service worker; its text names a version of the assets, so any change installs anew."""
    script = render_to_string(
        "permits/scanner_sw.js",
        {
            "version": scanner_assets.version(),
            "precache": json.dumps(scanner_assets.precache_urls()),
            "lists": json.dumps([reverse("permits:jwks"), reverse("permits:revocations")])[1:-1],
            "scope": reverse("permits:scanner"),
            "static_url": settings.STATIC_URL,
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def scanner_manifest(request):
    language = request.GET.get("lang", request.LANGUAGE_CODE)
    if language not in LANGUAGE_CODES:
        language = request.LANGUAGE_CODE
    with translation.override(language):
        document = scanner_assets.manifest(language=language)
    response = JsonResponse(document, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
