"""RFC 9457 problem details: every error of the API, in the caller's language, never a bare 500
for bad input."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from workinfrance.dossiers.errors import ActorNotAllowed, DossierActionError, TransitionNotAllowed

PROBLEM_TYPE_BASE = "https://workinfrance.beta.gouv.fr/api/problems/"
CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise anywhere in an endpoint: the API answers with this problem."""

    def __init__(self, status: int, code: str, detail: str, *, headers=None, **extra):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extra = extra


TITLES = {
    "unauthorized": lambda: _("Authentification requise"),
    "forbidden": lambda: _("Accès refusé"),
    "not_found": lambda: _("Ressource introuvable"),
    "conflict": lambda: _("Action impossible dans l'état actuel"),
    "invalid": lambda: _("Requête invalide"),
    "throttled": lambda: _("Trop de requêtes"),
    "idempotency_mismatch": lambda: _("Clé d'idempotence déjà utilisée pour une autre requête"),
    "not_ready": lambda: _("Pas encore disponible"),
}


def problem_response(request, status: int, code: str, detail: str, *, headers=None, **extra) -> JsonResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": str(TITLES.get(code, TITLES["invalid"])()),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
        **extra,
    }
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_errors(errors) -> list[dict]:
    cleaned = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        cleaned.append({"location": location, "message": str(error.get("msg", ""))})
    return cleaned


def install(api) -> None:
    """Map every error the API can meet to a problem."""

    @api.exception_handler(Problem)
    def _problem(request, exc: Problem):
        return problem_response(request, exc.status, exc.code, exc.detail, headers=exc.headers, **exc.extra)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        response = problem_response(
            request,
            401,
            "unauthorized",
            _("Jeton absent, inconnu, expiré ou révoqué. Envoyez « Authorization: Bearer <jeton> »."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        return problem_response(
            request,
            422,
            "invalid",
            _("Certaines valeurs sont invalides."),
            errors=_validation_errors(exc.errors),
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem_response(
            request, 404, "not_found", _("Aucune ressource de ce type n'est accessible ici.")
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        code = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "throttled"}
        return problem_response(request, exc.status_code, code.get(exc.status_code, "invalid"), str(exc))

    @api.exception_handler(ActorNotAllowed)
    def _actor(request, exc: ActorNotAllowed):
        return problem_response(request, 403, "forbidden", exc.message)

    @api.exception_handler(TransitionNotAllowed)
    def _transition(request, exc: TransitionNotAllowed):
        return problem_response(request, 409, "conflict", exc.message)

    @api.exception_handler(DossierActionError)
    def _action(request, exc: DossierActionError):
        return problem_response(
            request,
            422,
            "invalid",
            exc.message,
            errors=[{"location": [], "message": str(p)} for p in exc.problems],
        )
