"""Driving a sign-in over HTTP: the test client is the service, `requests` is the person's browser at the provider."""

import re
from urllib.parse import urljoin, urlsplit

import requests
from django.urls import reverse

SERVICE_ORIGIN = "http://testserver"


class ProviderBrowser:
    def __init__(self, provider, client):
        self.provider = provider
        self.client = client
        self.session = requests.Session()

    def start(self, name: str, *, purpose: str = "") -> str:
        """Press the button on the service's login page; returns the provider's authorization URL."""
        data = {"purpose": purpose} if purpose else {}
        response = self.client.post(reverse("oidc:start", kwargs={"provider": name}), data)
        assert response.status_code == 302, response.content[:500]
        return response["Location"]

    def cancel(self, authorization_url: str) -> str:
        """Press "cancel" at the provider; returns the callback URL (with error=access_denied)."""
        page = self.session.get(authorization_url, timeout=10)
        action = re.search(r'action="(/interaction/[^"]+/abort)"', page.text).group(1)
        response = self.session.post(urljoin(page.url, action), allow_redirects=False, timeout=10)
        return self._follow_until_service(response)

    def authenticate(self, authorization_url: str, account: str) -> str:
        """Choose a demo identity at the provider; returns the callback URL the provider sends back."""
        page = self.session.get(authorization_url, allow_redirects=False, timeout=10)
        while page.status_code in (302, 303):
            location = urljoin(page.url, page.headers["Location"])
            if location.startswith(SERVICE_ORIGIN):
                return location  # still signed in at the provider (single sign-on)
            page = self.session.get(location, allow_redirects=False, timeout=10)
        page.raise_for_status()
        action = re.search(r'action="(/interaction/[^"]+/login)"', page.text).group(1)
        response = self.session.post(
            urljoin(page.url, action), data={"account": account}, allow_redirects=False
        )
        return self._follow_until_service(response)

    def _follow_until_service(self, response) -> str:
        for _ in range(10):
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(SERVICE_ORIGIN):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=10)
            assert response.status_code in (302, 303), response.text[:500]
        raise AssertionError("too many redirects at the provider")

    def back_to_service(self, callback_url: str):
        split = urlsplit(callback_url)
        return self.client.get(f"{split.path}?{split.query}")

    def sign_in(self, name: str, account: str, *, purpose: str = ""):
        """The whole round trip; returns the service's answer to the callback."""
        return self.back_to_service(self.authenticate(self.start(name, purpose=purpose), account))

    def logout_at_provider(self, end_session_url: str) -> str:
        """Follow the provider's sign-out (its page submits a form); returns where it sends the browser."""
        page = self.session.get(end_session_url, timeout=10)
        page.raise_for_status()
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        response = self.session.post(
            urljoin(page.url, action), data={**fields, "logout": "yes"}, allow_redirects=False, timeout=10
        )
        return self._follow_until_service(response)
