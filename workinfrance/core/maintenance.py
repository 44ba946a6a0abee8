"""The maintenance switch for planned outages: a flag file, so every web process sees it at once
without a restart (`manage.py maintenance on|off`). While on, every page answers 503 with the
maintenance page, except the health checks and the public keys (offline verification)."""

import json
from pathlib import Path

from django.conf import settings

from .errors import error_response

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/.well-known/", "/static/")


def flag_path() -> Path:
    return Path(settings.WIF_MAINTENANCE_FILE)


def maintenance_state() -> dict | None:
    """None when off; else {"notice": text shown to visitors (may be empty)}."""
    try:
        raw = flag_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return {"notice": str(json.loads(raw).get("notice", ""))}
    except (ValueError, AttributeError):
        return {"notice": ""}


def maintenance_on(*, notice: str = "") -> None:
    path = flag_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"notice": notice}), encoding="utf-8")


def maintenance_off() -> None:
    flag_path().unlink(missing_ok=True)


class MaintenanceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = maintenance_state()
        if state is not None and not request.path.startswith(EXEMPT_PREFIXES):
            return error_response(request, 503, retry_after=300, maintenance=True, notice=state["notice"])
        return self.get_response(request)
