"""Cross-cutting request handling: security headers and the interface language."""

import secrets

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from workinfrance.core.languages import site_language
from workinfrance.oidc.providers import provider_origins


class SecurityHeadersMiddleware:
    """Strict Content-Security-Policy: our own origin only; inline scripts only with the request nonce."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            # The sign-in and sign-out forms redirect to FranceConnect / ProConnect: browsers apply
            # form-action to that redirection, so the configured providers' origins are allowed there.
            form_action = " ".join(["'self'", *provider_origins()])
            response["Content-Security-Policy"] = (
                "default-src 'self'; "
                f"script-src 'self' 'nonce-{request.csp_nonce}'; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self' data:; "
                f"object-src 'none'; base-uri 'self'; form-action {form_action}; frame-ancestors 'self'"
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LanguageMiddleware:
    """The visitor's language: their choice (cookie), else their browser's, else French."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = site_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in user, nor the answer to a form, is kept by a browser or a proxy.

    Signed-in pages all carry personal data (at least the user's name; dossiers, exports, documents
    for staff); a POST's answer may echo what was typed (an address, a name). Both get
    `Cache-Control: no-store, private` (Django's never-cache set). Anonymous GET pages (guide,
    statistics, verification with its own header) are left as their views say."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method == "POST" or (user is not None and user.is_authenticated):
            response.headers.pop("Cache-Control", None)  # a view's `public, max-age` must not survive
            add_never_cache_headers(response)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds `WIF_REQUEST_MAX_BYTES`, before anything reads it.

    First in the chain: the CSRF check reads POST data, and Django would otherwise stream a huge
    upload to a temporary file before any view could refuse it. A body without a declared length
    (chunked) is not read by Django under WSGI at all; nginx in front enforces the same cap
    (`client_max_body_size`, deploy/nginx.conf)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.WIF_REQUEST_MAX_BYTES:
            response = HttpResponse(
                "Requête trop volumineuse. / Request too large.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            response["Connection"] = "close"  # the unread body is not waited for
            return response
        return self.get_response(request)
