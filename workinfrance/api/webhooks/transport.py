"""POST one delivery: no redirects, a short timeout, and (in production) never to a private address.

The address is resolved once, checked, and the connection made to that very IP (TLS still checks the
host name): a DNS answer that changes between check and connection cannot reach the internal network."""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 4096


class AddressRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_public(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def url_problem(url: str) -> str | None:
    """Why this receiver address is refused (before any DNS lookup), or None."""
    if "\x00" in url:
        return _("Indiquez une adresse https://… complète.")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Indiquez une adresse https://… complète.")
    if parts.scheme == "http" and not settings.WIF_WEBHOOK_ALLOW_HTTP:
        return _("Seules les adresses https:// sont acceptées.")
    if parts.username or parts.password:
        return _("L'adresse ne doit pas contenir d'identifiants.")
    try:
        _port = parts.port  # raises ValueError when out of range
    except ValueError:
        return _("Le port de l'adresse est invalide.")
    return None


def resolve_checked(url: str) -> str:
    """The IP to connect to; refused if the name resolves to any private, loopback, link-local or
    reserved address (unless WIF_WEBHOOK_ALLOW_PRIVATE, for development and tests)."""
    problem = url_problem(url)
    if problem:
        raise AddressRefused(problem)
    parts = urlsplit(url)
    if settings.WIF_WEBHOOK_ALLOW_PRIVATE:
        return parts.hostname  # development: any receiver; the connection resolves the name itself
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(_("Nom d'hôte introuvable.")) from error
    addresses = [info[4][0] for info in infos]
    if not all(_is_public(ip) for ip in addresses):
        raise AddressRefused(_("Cette adresse mène à un réseau privé ou local : elle est refusée."))
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, ip, **kwargs):
        super().__init__(host, port, **kwargs)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    try:
        ip = resolve_checked(url)
    except AddressRefused as error:
        return Outcome(None, error.message)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    port = parts.port or (443 if parts.scheme == "https" else 80)
    connection = connection_class(parts.hostname, port, ip, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "POST", path, body=body, headers={**headers, "User-Agent": "WorkInFrance-Webhooks/1"}
        )
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
    return Outcome(status, "" if 200 <= status < 300 else f"HTTP {status}")
