"""The client's address, as the throttles and the audit trail must see it.

Behind a reverse proxy every request comes from the proxy: `REMOTE_ADDR` alone would make every
per-client limit global. `X-Forwarded-For` is believed only when the connection itself comes from
an address listed in `WIF_TRUSTED_PROXIES` (addresses or networks), and then only as far as the
chain stays within trusted proxies: the right-most address that is not a trusted proxy is the
client (anything left of it was written by the client and may be forged).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.WIF_TRUSTED_PROXIES)))


def _parse(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the client that sent this request (cached on the request)."""
    cached = getattr(request, "_wif_client_address", None)
    if cached is not None:
        return cached
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    client = remote
    if remote is not None and _trusted(remote):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:
                break  # a malformed hop: stop at the last address a trusted proxy vouched for
            client = address
            if not _trusted(address):
                break
    result = str(client) if client is not None else ""
    request._wif_client_address = result
    return result


def client_throttle_key(request) -> str:
    """The address as a throttle counts it: IPv6 clients get a whole /64 each, so one
    subscriber cannot walk through its own addresses."""
    address = _parse(client_address(request))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    if isinstance(address, ipaddress.IPv6Address):
        return str(address.ipv4_mapped)
    return str(address) if address is not None else "unknown"
