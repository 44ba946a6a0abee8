"""Stand-in for the one throttle of issue 11 (`workinfrance.accounts.throttle`), same interface, until it
is merged: the second-factor step then imports that module instead and this file goes.

Counts failures per identifier and per client address; past the free allowance each failure doubles
the wait before the next attempt."""

import math
import time

from django.core.cache import cache
from django.utils.translation import gettext as _

FREE_FAILURES = 5
BASE_DELAY = 2
MAX_DELAY = 900
MEMORY = 24 * 3600


class Throttled(Exception):
    def __init__(self, *, scope: str, retry_after: int):
        super().__init__(f"{scope}: retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return _("Trop de tentatives. Par sécurité, réessayez dans %(n)d minute(s).") % {"n": minutes}


def _keys(request, scope: str, identifier: str) -> list[str]:
    return [
        f"throttle:{scope}:id:{identifier.strip().casefold()}",
        f"throttle:{scope}:client:{request.META.get('REMOTE_ADDR', '')}",
    ]


def throttle_check(request, *, scope: str, identifier: str = "") -> None:
    now = time.time()
    waits = [
        max(0, math.ceil((cache.get(f"{key}:until") or 0) - now)) for key in _keys(request, scope, identifier)
    ]
    if max(waits):
        raise Throttled(scope=scope, retry_after=max(waits))


def throttle_fail(request, *, scope: str, identifier: str = "") -> int:
    now, delay = time.time(), 0
    for key in _keys(request, scope, identifier):
        cache.add(f"{key}:n", 0, MEMORY)
        failures = cache.incr(f"{key}:n")
        if failures >= FREE_FAILURES:
            delay = max(delay, min(MAX_DELAY, BASE_DELAY * 2 ** min(failures - FREE_FAILURES, 32)))
            cache.set(f"{key}:until", now + delay, delay + 1)
    return delay


def throttle_success(request, *, scope: str, identifier: str) -> None:
    key = _keys(request, scope, identifier)[0]
    cache.delete_many([f"{key}:n", f"{key}:until"])
