"""Health checks for a load balancer, in JSON.

/healthz: the process answers (nothing else is checked: restarting it would not help a database).
/readyz: the parts a request needs. The database, the signing key and writable storage are
required (503 without them); the cache and the broker are accelerators: without them the
service still works, degraded (200, "degraded"), so a Redis outage never empties the pool."""

import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .cache import cache_ping
from .maintenance import maintenance_state

logger = logging.getLogger(__name__)
REQUIRED = ("database", "signing_key", "storage")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    if not cache_ping():
        raise ConnectionError("the cache does not answer")


def _broker() -> None:
    from config.celery import app

    if app.conf.task_always_eager:
        return  # no broker: tasks run in-process
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=1)


def _signing_key() -> None:
    from workinfrance.permits.keys import _signing_key_read, keyring_load

    active = keyring_load().active_kid
    if active is None:
        if settings.WIF_SIGNING_KEY_AUTO_CREATE:
            return  # development: created at the first issuance
        raise FileNotFoundError("no active signing key")
    _signing_key_read(active)


def _storage() -> None:
    name = default_storage.save(f"tmp/readyz-{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "signing_key": _signing_key,
    "storage": _storage,
}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as error:  # details in the log only: this page is public
            logger.warning("Readiness: %s failed: %s: %s", name, type(error).__name__, error)
            results[name] = {"ok": False}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    maintenance = maintenance_state() is not None
    if maintenance or not all(results[name]["ok"] for name in REQUIRED):
        status, code = "unavailable", 503
    elif all(result["ok"] for result in results.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "maintenance": maintenance, "checks": results}, status=code)
