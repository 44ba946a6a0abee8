"""The client's address behind a reverse proxy (issue 11, point 10): believed only from trusted proxies."""

from django.test import Client, RequestFactory
from django.urls import reverse

from workinfrance.core.client import client_address, client_throttle_key

from tests.factories import UserFactory


def address(settings, remote, forwarded=None, proxies=()):
    settings.WIF_TRUSTED_PROXIES = list(proxies)
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_forwarded_for_is_ignored_unless_the_connection_comes_from_a_trusted_proxy(settings):
    assert address(settings, "203.0.113.5", "198.51.100.7") == "203.0.113.5"
    assert address(settings, "203.0.113.5", "198.51.100.7", proxies=["10.0.0.0/8"]) == "203.0.113.5"


def test_the_right_most_untrusted_hop_is_the_client(settings):
    proxies = ["10.0.0.1", "172.16.0.0/12"]
    assert address(settings, "10.0.0.1", "198.51.100.7", proxies) == "198.51.100.7"
    # A client that writes its own X-Forwarded-For cannot choose its address.
    assert address(settings, "10.0.0.1", "1.2.3.4, 198.51.100.7", proxies) == "198.51.100.7"
    assert address(settings, "10.0.0.1", "1.2.3.4, 198.51.100.7, 172.16.5.5", proxies) == "198.51.100.7"
    # A malformed hop stops the walk at the last address a trusted proxy vouched for.
    assert address(settings, "10.0.0.1", "198.51.100.7, not-an-ip", proxies) == "10.0.0.1"
    assert address(settings, "10.0.0.1", None, proxies) == "10.0.0.1"


def test_an_ipv6_client_is_counted_by_its_64_network():
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert client_throttle_key(request) == "2001:db8:1:2::/64"


def test_behind_a_proxy_each_client_has_its_own_login_counter(db, settings):
    settings.WIF_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.WIF_THROTTLE_RULES = {"login": {"client_free": 3, "identifier_free": 100}}

    def attempt(forwarded):
        return Client().post(
            reverse("accounts:login"),
            {"username": f"nobody{forwarded}@example.test", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(3):
        assert attempt("198.51.100.7").status_code == 200
    assert attempt("198.51.100.7").status_code == 429
    # Another client behind the same proxy is not slowed down by the first one.
    user = UserFactory()
    response = Client().post(
        reverse("accounts:login"),
        {"username": user.email, "password": "correct-horse-battery"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert response.status_code == 302


def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_throttle(db, settings):
    """A client that is not the proxy writes a new X-Forwarded-For at each attempt: the throttle
    still counts its own address (REMOTE_ADDR), so it is slowed down all the same."""
    settings.WIF_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.WIF_THROTTLE_RULES = {"login": {"client_free": 3, "identifier_free": 100}}
    statuses = [
        Client()
        .post(
            reverse("accounts:login"),
            {"username": f"nobody{attempt}@example.test", "password": "wrong"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )
        .status_code
        for attempt in range(5)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
