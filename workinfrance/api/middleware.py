"""For /api/ only: the caller's language from Accept-Language, and one audit event per token call."""

from django.utils import translation

from workinfrance.core.events import event_record
from workinfrance.core.languages import accepted_language

API_PREFIX = "/api/v1/"


class ApiMiddleware:
    """Placed after LanguageMiddleware: API callers are programs, they send Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        language = accepted_language(request.headers.get("Accept-Language", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response["Content-Language"] = language
        response.headers.setdefault("Cache-Control", "private, no-store")
        token = getattr(request, "api_token", None)
        if token is not None:
            api_call_record(request, response, token)
        return response


def api_call_record(request, response, token) -> None:
    """Every token call, audited with the token's id (never its secret). The route pattern, not the
    raw path; the dossier number only once the call succeeded (it was then a real one)."""
    match = request.resolver_match
    data = {
        "token": token.pk,
        "method": request.method,
        "route": match.route if match else "",
        "status": response.status_code,
    }
    if match and response.status_code < 400:
        data.update({name: str(value)[:64] for name, value in match.kwargs.items()})
    event_record(actor=token.created_by, verb="api.call", target=token, data=data)
