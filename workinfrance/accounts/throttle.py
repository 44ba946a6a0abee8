"""One throttle for every way in: site and admin login, the second-factor step, password reset,
resend-confirmation, sign-up and the permit number + birth-date lookup.

Public API (keyword-only, `scope` is one of `RULES`; `identifier` is what the visitor typed to
name an account or a permit — it is normalised here, so callers pass it raw)::

    throttle_check(request, scope=..., identifier=...)    # raises Throttled(retry_after=N seconds)
    throttle_fail(request, scope=..., identifier=...)     # a wrong password / code / no match
    throttle_success(request, scope=..., identifier=...)  # right credentials: trust this device
    throttle_hit(request, scope=..., identifier=...)      # check + count: actions sending e-mail
    throttle_reset(scope=..., identifier=...)             # the owner proved it by an e-mail link

Second-factor step (TOTP/WebAuthn), for example::

    try:
        throttle_check(request, scope="second_factor", identifier=user.email)
    except Throttled as throttled:
        form.add_error(None, throttled.message)   # the middleware answers 429 + Retry-After
    else:
        if code_is_valid:
            throttle_success(request, scope="second_factor", identifier=user.email)
        else:
            throttle_fail(request, scope="second_factor", identifier=user.email)

How it counts. Each failure is counted on two keys: the normalised identifier (Unicode NFKC,
no whitespace or invisible characters, case-folded — " Victim@X" and "victim@x" are one key) and
the client address (from `workinfrance.core.client`, trusted proxies only; an IPv6 /64 is one
client). Below a rule's free allowance nothing happens; beyond it each failure doubles the wait
before the next attempt, up to a ceiling (progressive delay, never a lockout that lasts). A key
is forgotten `memory` seconds after its last failure. Nothing but time clears the client key; a
success clears only its own identifier's key, so logging in to one's own account never helps
against another's.

The owner is never locked out by an attacker: a successful sign-in leaves a signed device
cookie naming (a digest of) the identifier; from that browser the identifier and client keys
are replaced by a key of that device alone, which an attacker elsewhere cannot fill. A password
reset by e-mail link also clears the identifier's login key (`throttle_reset`).

Why not django-axes (or django-defender): both count failures of `authenticate()` only and
answer with a lockout for a fixed cool-off once a limit is reached — a lockout of the username
is the denial of service of issue 11, and a lockout on (username, address) pairs lets one
attacker try every account from many addresses. Neither has a delay growing with the failures,
device cookies, or a way to count sign-up, password reset, resend-confirmation or a permit
lookup (which are not authentications); axes also writes a database row per failure. What is
left is a counter and a timestamp per key in Django's cache (Redis in production), about the
size of a settings file for those libraries. Known limit: attempts sent in parallel are all
checked before any of them is counted; the free allowance bounds that burst.
"""

import hashlib
import logging
import math
import secrets
import time
import unicodedata
from dataclasses import dataclass, replace

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workinfrance.core.cache import CACHE_UNAVAILABLE_MESSAGE, CacheUnavailable, cache_get_strict
from workinfrance.core.client import client_throttle_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    identifier_free: int  # failures of one identifier before any wait
    client_free: int  # failures from one client address (all identifiers) before any wait
    base_delay: int  # seconds of the first wait, doubled by every further failure
    identifier_max_delay: int  # ceiling of the wait on one identifier (or one trusted device)
    client_max_delay: int  # ceiling of the wait on one client address
    memory: int = 24 * 3600  # a key is forgotten this long after its last failure
    # Guards a secret (password, second factor, a permit's birth date): with the cache out of reach
    # the counters cannot be trusted, so attempts are refused (503) rather than let through.
    fail_closed: bool = False


DAY = 24 * 3600
RULES: dict[str, Rule] = {
    "login": Rule(
        identifier_free=5,
        client_free=30,
        base_delay=1,
        identifier_max_delay=900,
        client_max_delay=3600,
        fail_closed=True,
    ),
    "second_factor": Rule(
        identifier_free=5,
        client_free=20,
        base_delay=2,
        identifier_max_delay=900,
        client_max_delay=3600,
        fail_closed=True,
    ),
    # Actions that send an e-mail: every request counts (throttle_hit), a few are free.
    "password_reset": Rule(
        identifier_free=3, client_free=10, base_delay=60, identifier_max_delay=DAY, client_max_delay=DAY
    ),
    "resend_confirmation": Rule(
        identifier_free=3, client_free=10, base_delay=60, identifier_max_delay=DAY, client_max_delay=DAY
    ),
    "signup": Rule(
        identifier_free=3, client_free=10, base_delay=60, identifier_max_delay=DAY, client_max_delay=DAY
    ),
    # Permit number + birth date: counts lookups that match nothing.
    "permit_lookup": Rule(
        identifier_free=5,
        client_free=10,
        base_delay=2,
        identifier_max_delay=3600,
        client_max_delay=3600,
        fail_closed=True,
    ),
    # An expert's opinion link (workinfrance.opinions): counts tokens that open nothing, per client.
    # The tokens are 256-bit secrets, so this is against scanning, and it fails open (an expert with a
    # real link still answers while the cache is down).
    "opinion_link": Rule(
        identifier_free=10, client_free=10, base_delay=2, identifier_max_delay=3600, client_max_delay=3600
    ),
}

DEVICE_SALT = "workinfrance.accounts.throttle.device"


class Throttled(Exception):
    """Too many failures: the next attempt is allowed in `retry_after` seconds."""

    status = 429

    def __init__(self, *, scope: str, retry_after: int):
        super().__init__(f"{scope}: retry after {retry_after} s")
        self.scope = scope
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        if self.retry_after < 120:
            wait = ngettext("%(n)d seconde", "%(n)d secondes", self.retry_after) % {"n": self.retry_after}
        else:
            minutes = math.ceil(self.retry_after / 60)
            wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
        return _("Trop de tentatives. Par sécurité, réessayez dans %(wait)s.") % {"wait": wait}


class ThrottleUnavailable(Throttled):
    """A fail-closed scope whose counters are out of reach (the cache is down): refused for now."""

    status = 503

    def __init__(self, *, scope: str):
        super().__init__(scope=scope, retry_after=60)

    @property
    def message(self) -> str:
        return str(CACHE_UNAVAILABLE_MESSAGE)


def rule_for(scope: str) -> Rule:
    """The scope's rule, with the fields `WIF_THROTTLE_RULES[scope]` overrides (a dict)."""
    overrides = getattr(settings, "WIF_THROTTLE_RULES", {}).get(scope, {})
    return replace(RULES[scope], **overrides)


def normalise_identifier(value) -> str:
    """One spelling per account: compatibility forms folded, whitespace and invisible characters
    dropped wherever they are, case folded."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    kept = (ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf", "Zs"})
    return "".join(kept).casefold()


def _digest(text: str) -> str:
    # Identifiers are personal data: the cache holds only a keyed digest of them.
    return hashlib.blake2b(text.encode(), digest_size=16, key=settings.SECRET_KEY.encode()[:64]).hexdigest()


@dataclass(frozen=True)
class _Key:
    name: str
    free: int
    max_delay: int


def _device_nonce(request, identifier_digest: str) -> str | None:
    """The nonce of this browser's device cookie when it was issued for this identifier."""
    value = request.COOKIES.get(settings.WIF_THROTTLE_DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=settings.WIF_THROTTLE_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != identifier_digest:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else None


def _keys(request, scope: str, identifier: str) -> list[_Key]:
    rule = rule_for(scope)
    normalised = normalise_identifier(identifier)
    digest = _digest(normalised) if normalised else ""
    nonce = _device_nonce(request, digest) if digest else None
    if nonce:
        # A device this identifier signed in from: counted on its own, out of an attacker's reach.
        return [_Key(f"throttle:{scope}:device:{nonce}", rule.identifier_free, rule.identifier_max_delay)]
    keys = [
        _Key(
            f"throttle:{scope}:client:{client_throttle_key(request)}", rule.client_free, rule.client_max_delay
        )
    ]
    if digest:
        keys.append(_Key(f"throttle:{scope}:id:{digest}", rule.identifier_free, rule.identifier_max_delay))
    return keys


def _cache_call(default, function, *args, **kwargs):
    """The cache is an accelerator: when it is down the throttle lets requests through (and says so)."""
    try:
        return function(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any cache failure, whatever its backend's exception
        logger.warning("throttle: cache unavailable", exc_info=True)
        return default


def _wait(key: _Key, now: float, *, strict: bool) -> int:
    until = (
        cache_get_strict(f"{key.name}:until") if strict else _cache_call(None, cache.get, f"{key.name}:until")
    )
    return max(0, math.ceil(until - now)) if until else 0


def delay_after(failures: int, *, free: int, base: int, ceiling: int) -> int:
    """Seconds to wait after `failures` failures: none within the free allowance, then doubling."""
    if failures < free:
        return 0
    return min(ceiling, base * 2 ** min(failures - free, 32))


def _count(key: _Key, rule: Rule, now: float) -> int:
    count_key = f"{key.name}:n"
    if _cache_call(False, cache.add, count_key, 1, rule.memory):
        failures = 1
    else:
        try:
            failures = cache.incr(count_key)
            cache.touch(count_key, rule.memory)
        except ValueError:  # expired between add and incr
            _cache_call(None, cache.set, count_key, 1, rule.memory)
            failures = 1
        except Exception:  # noqa: BLE001
            logger.warning("throttle: cache unavailable", exc_info=True)
            return 0
    delay = delay_after(failures, free=key.free, base=rule.base_delay, ceiling=key.max_delay)
    if delay:
        # Kept as long as the count: the deadline itself says when it is over.
        _cache_call(None, cache.set, f"{key.name}:until", now + delay, rule.memory)
    return delay


def throttle_check(request, *, scope: str, identifier: str = "") -> None:
    """Raise Throttled if this client or this identifier must still wait.

    Also marks the request so that `ThrottleMiddleware` answers 429 with `Retry-After`."""
    now = time.time()
    strict = rule_for(scope).fail_closed
    try:
        retry_after = max(
            (_wait(key, now, strict=strict) for key in _keys(request, scope, identifier)), default=0
        )
    except CacheUnavailable:
        logger.warning("throttle: cache unavailable, %s refused (fails closed)", scope)
        unavailable = ThrottleUnavailable(scope=scope)
        request._wif_throttled = unavailable
        raise unavailable from None
    if retry_after:
        throttled = Throttled(scope=scope, retry_after=retry_after)
        request._wif_throttled = throttled
        raise throttled


def throttle_fail(request, *, scope: str, identifier: str = "") -> int:
    """Count one failure; return the seconds the next attempt must wait (0 within the allowance)."""
    now = time.time()
    rule = rule_for(scope)
    delay = max((_count(key, rule, now) for key in _keys(request, scope, identifier)), default=0)
    if delay:
        logger.warning("throttle: %s now waits %d s (client %s)", scope, delay, client_throttle_key(request))
    return delay


def throttle_hit(request, *, scope: str, identifier: str = "") -> None:
    """For actions where every request counts (they send e-mail): check, then count."""
    throttle_check(request, scope=scope, identifier=identifier)
    throttle_fail(request, scope=scope, identifier=identifier)


def throttle_success(request, *, scope: str, identifier: str) -> None:
    """The right credentials: forget this identifier's failures (never the client's), and trust
    this browser for the identifier from now on (the cookie is set by ThrottleMiddleware)."""
    normalised = normalise_identifier(identifier)
    if not normalised:
        return
    digest = _digest(normalised)
    for key in _keys(request, scope, identifier):
        if ":client:" not in key.name:
            _cache_call(None, cache.delete_many, [f"{key.name}:n", f"{key.name}:until"])
    if _device_nonce(request, digest) is None:
        request._wif_device_cookie = signing.dumps(
            {"i": digest, "n": secrets.token_urlsafe(16)}, salt=DEVICE_SALT
        )


def throttle_reset(*, scope: str, identifier: str) -> None:
    """Forget the identifier's failures: its owner proved it another way (an e-mail link)."""
    digest = _digest(normalise_identifier(identifier))
    name = f"throttle:{scope}:id:{digest}"
    _cache_call(None, cache.delete_many, [f"{name}:n", f"{name}:until"])


class ThrottleMiddleware:
    """Answers 429 (503 when the counters are out of reach) + Retry-After for a throttled attempt,
    and sets the trusted-device cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        throttled = getattr(request, "_wif_throttled", None)
        if throttled is not None and response.status_code == 200:
            response.status_code = throttled.status
            response["Retry-After"] = str(throttled.retry_after)
        cookie = getattr(request, "_wif_device_cookie", None)
        if cookie:
            response.set_cookie(
                settings.WIF_THROTTLE_DEVICE_COOKIE,
                cookie,
                max_age=settings.WIF_THROTTLE_DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
