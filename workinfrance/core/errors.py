"""Error pages in the service's layout (403, 404, 429, 500, 503), and what turns an outage into one.

They are rendered without the database or the session (either may be the failing part): no
context processors, an anonymous header. If even that fails, a plain bilingual page is sent."""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

TEMPLATES = {
    403: "errors/403.html",
    404: "404.html",
    429: "errors/429.html",
    500: "errors/500.html",
    503: "errors/503.html",
}
FALLBACK = (
    "<!DOCTYPE html><html lang=fr><meta charset=utf-8><title>Work in France</title>"
    "<h1>Service momentanément indisponible</h1><p>Rechargez la page dans quelques instants.</p>"
    "<h1 lang=en>Service temporarily unavailable</h1><p lang=en>Reload the page in a few moments.</p>"
)


def error_response(request, status: int, *, retry_after: int | None = None, **context) -> HttpResponse:
    context = {
        "request": request,
        "user": AnonymousUser(),
        "SERVICE_NAME": settings.WIF_SERVICE_NAME,
        "status": status,
        **context,
    }
    try:
        html: str = render_to_string(TEMPLATES[status], context)
    except Exception:
        logger.exception("Error page %s could not be rendered; plain fallback sent", status)
        html = FALLBACK
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def forbidden(request, exception=None):
    return error_response(request, 403)


def not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


def is_database_outage(error: Exception) -> bool:
    """Lost or refused database connection (restart, failover, terminated backend)."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    return isinstance(error, DatabaseError) and "connection" in str(error).lower()


def close_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close_if_unusable_or_obsolete()
        except Exception:  # closing a dead socket may fail too; the next use reconnects
            connection.connection = None


class DatabaseOutageMiddleware:
    """A database outage answers 503 in the service's layout, never a bare 500.

    A read (GET, HEAD) is tried once more on a fresh connection: a terminated backend or a
    restarted server costs the visitor nothing. A write is never replayed: the page says the
    action may or may not have been recorded, and to reload the dossier to see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
        close_broken_connections()
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and not getattr(request, "_db_retried", False)
        ):
            request._db_retried = True
            try:
                response = match.func(request, *match.args, **match.kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
            except Exception as error:
                if not is_database_outage(error):
                    raise
                close_broken_connections()
        return error_response(request, 503, retry_after=30, write=request.method not in ("GET", "HEAD"))
