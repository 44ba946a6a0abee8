"""Fixed-window request counters per token (or per client for anonymous checks), in the shared cache.

Redis is an accelerator, never a dependency: if the cache fails, the request goes through."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def throttle_hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one request; None if allowed, else the seconds until the window ends (Retry-After)."""
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"api-throttle:{key}:{window_start}"
    try:
        cache.add(cache_key, 0, timeout=window + 1)
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not take the API down
        logger.warning("API throttle skipped: cache unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, window_start + window - now)
