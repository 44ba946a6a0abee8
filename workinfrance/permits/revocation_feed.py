"""The published revocation list: built from the database, signed with the seal key, shared cache.

Every save of a permit drops the cached list after commit (`apps.py`), so a revocation is in the
next list fetched; the cache lifetime (one minute) bounds the delay where the cache is not shared.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .keys import signing_key_active
from .models import Permit, PermitStatus
from .revocations import revocation_list_sign

CACHE_KEY = "permits:revocation-list:v1"
CACHE_SECONDS = 60


def revoked_unexpired_ids(today=None):
    """The permits an offline verifier must refuse: revoked and not yet past their validity."""
    return Permit.objects.filter(
        status=PermitStatus.REVOKED, valid_until__gte=today or timezone.localdate()
    ).values_list("uuid", flat=True)


def revocation_list_build(*, now: int | None = None) -> bytes:
    produced_at = int(time.time()) if now is None else now
    return revocation_list_sign(
        issuer=settings.WIF_SEAL_ISSUER,
        produced_at=produced_at,
        renew_by=produced_at + settings.WIF_REVOCATIONS_RENEW_SECONDS,
        revoked=revoked_unexpired_ids(),
        key=signing_key_active(),
    )


def revocation_list_current() -> bytes:
    data = cache.get(CACHE_KEY)
    if data is None:
        data = revocation_list_build()
        cache.set(CACHE_KEY, data, timeout=CACHE_SECONDS)
    return data


def revocation_list_forget() -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
