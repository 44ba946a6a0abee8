"""Redis as an accelerator, never a dependency (DESIGN §6).

`ResilientRedisCache` (the CACHES backend whenever REDIS_URL is set) turns every failure of Redis
into "no cache": a read misses, a write is skipped, with a warning in the log, never an exception,
so no page answers 500 because Redis is down. After a failure it stops asking Redis for a few
seconds (`CIRCUIT_SECONDS`) so a dead or hung server costs one timeout, not one per call.

Two things may not silently degrade, and use the helpers below:

- throttles that protect a secret (login, second factor, permit number + birth date) must fail
  CLOSED: `cache_get_strict` raises `CacheUnavailable`, and `accounts.throttle` refuses with a
  clear message (`CACHE_UNAVAILABLE_MESSAGE`); other throttles let the visitor in;
- invalidation must happen after commit, never inside a write transaction: `cache_forget_on_commit`.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
CIRCUIT_SECONDS = 5.0
WARNING_INTERVAL_SECONDS = 10.0
CACHE_UNAVAILABLE_MESSAGE = _(
    "Ce service est momentanément indisponible pour des raisons de sécurité. Réessayez dans quelques minutes."
)


class CacheUnavailable(Exception):
    """The shared cache cannot be reached: a security counter cannot be trusted."""


_circuit = {"open_until": 0.0, "last_warning": 0.0, "suppressed": 0}
_circuit_lock = threading.Lock()


def _cache_errors() -> tuple:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def _failed(operation: str, error: Exception) -> None:
    now = time.monotonic()
    with _circuit_lock:
        _circuit["open_until"] = now + CIRCUIT_SECONDS
        if now - _circuit["last_warning"] < WARNING_INTERVAL_SECONDS:
            _circuit["suppressed"] += 1
            return
        suppressed, _circuit["suppressed"], _circuit["last_warning"] = _circuit["suppressed"], 0, now
    logger.warning(
        "Cache unavailable (%s: %s: %s); serving without it for %.0f s (%d similar warning(s) suppressed)",
        operation,
        type(error).__name__,
        error,
        CIRCUIT_SECONDS,
        suppressed,
    )


def _circuit_open() -> bool:
    return time.monotonic() < _circuit["open_until"]


def circuit_reset() -> None:
    """Forget past failures (tests, and /readyz after a successful ping): the next failure is a new
    outage, warned about at once."""
    with _circuit_lock:
        _circuit.update(open_until=0.0, last_warning=0.0, suppressed=0)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose failures degrade to "no cache" (see the module docstring)."""

    def _degrade(self, operation: str, fallback, call, *args, **kwargs):
        if _circuit_open():
            return fallback
        try:
            return call(*args, **kwargs)
        except _cache_errors() as error:
            _failed(operation, error)
            return fallback

    def _strict(self, operation: str, call, *args, **kwargs):
        if _circuit_open():
            raise CacheUnavailable(f"{operation}: circuit open after a recent failure")
        try:
            return call(*args, **kwargs)
        except _cache_errors() as error:
            _failed(operation, error)
            raise CacheUnavailable(f"{operation}: {type(error).__name__}: {error}") from error

    def get(self, key, default=None, version=None):
        return self._degrade("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._degrade("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._degrade("has_key", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade("set", None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade("add", False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade("touch", False, super().touch, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade("set_many", list(data), super().set_many, data, timeout, version)

    def delete(self, key, version=None):
        return self._degrade("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._degrade("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        return self._strict("incr", super().incr, key, delta, version)

    def clear(self):
        return self._degrade("clear", False, super().clear)

    # The strict counterparts, for security counters.
    def strict_get(self, key, default=None):
        return self._strict("get", super().get, key, default)

    def strict_add(self, key, value, timeout):
        return self._strict("add", super().add, key, value, timeout)

    def strict_ping(self) -> bool:
        """Asks Redis even while the circuit is open: this is how readiness sees it come back."""
        try:
            return self._cache.get_client(write=True).ping()
        except _cache_errors() as error:
            _failed("ping", error)
            raise CacheUnavailable(f"ping: {type(error).__name__}: {error}") from error


def _strict_call(name: str, *args):
    """The strict operation of the configured backend; local-memory caches cannot fail."""
    method = getattr(cache, f"strict_{name}", None)
    return method(*args) if method else getattr(cache, name)(*args)


def cache_get_strict(key: str, default=None):
    """Read `key`, raising CacheUnavailable instead of missing when the cache is out of reach:
    for the counters of throttles that fail closed (accounts.throttle)."""
    return _strict_call("get", key, default)


def cache_forget_on_commit(*keys: str) -> None:
    """Drop cached entries once the transaction commits (at once outside one). Never inside a write
    transaction: a Redis failure there would roll back the change. A failure only logs a warning:
    entries have a short lifetime, so a missed invalidation is bounded."""
    key_list = list(keys)
    transaction.on_commit(lambda: cache.delete_many(key_list), robust=True)


def cache_ping() -> bool:
    """True when the shared cache answers (for /readyz)."""
    try:
        ping = getattr(cache, "strict_ping", None)
        if ping is None:
            return True
        ping()
    except CacheUnavailable:
        return False
    circuit_reset()
    return True
