"""Forged or broken answers from the provider, each produced by the real local provider over HTTP
(its test controls re-sign or alter what it sends). Every one is refused: nobody signed in, no account."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workinfrance.accounts.models import User
from workinfrance.oidc.models import OidcIdentity

from tests.oidc_provider import _free_port

pytestmark = pytest.mark.django_db

REFUSED = "La connexion avec FranceConnect n'a pas pu être vérifiée"
UNAVAILABLE = "FranceConnect ne répond pas pour le moment"


def assert_refused(client, response, *, status=400, message=REFUSED, accounts=0):
    assert response.status_code == status
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert SESSION_KEY not in client.session
    assert User.objects.count() == OidcIdentity.objects.count() == accounts


def with_query(url: str, **changes) -> str:
    split = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    query.update(changes)
    query = {key: value for key, value in query.items() if value is not None}
    return f"{split.scheme}://{split.netloc}{split.path}?{urlencode(query)}"


@pytest.mark.parametrize(
    "mode",
    [
        "foreign-key",
        "alg-none",
        "expired",
        "wrong-audience",
        "no-nonce",
        "no-acr",
        "userinfo-sub",
        "userinfo-audience",
    ],
)
def test_forged_id_token_or_userinfo_is_refused(provider_browser, client, oidc, mode):
    oidc.set_mode(mode)
    assert_refused(client, provider_browser.sign_in("franceconnect", "amina-benali"))


def test_forged_answers_refused_for_proconnect_in_rs256_too(provider_browser, client, oidc):
    oidc.set_mode("foreign-key")
    response = provider_browser.sign_in("proconnect", "claire-dupont", purpose="employer")
    assert_refused(client, response, message="La connexion avec ProConnect n'a pas pu être vérifiée")


def test_replayed_id_token_is_refused_by_its_nonce(provider_browser, client, oidc):
    provider_browser.sign_in("franceconnect", "lucas-martin")
    assert client.session[SESSION_KEY]
    client.logout()
    oidc.set_mode("replay")  # the token endpoint answers with the previous sign-in's ID token
    assert_refused(client, provider_browser.sign_in("franceconnect", "lucas-martin"), accounts=1)


def test_wrong_state_is_refused(provider_browser, client):
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    assert_refused(client, provider_browser.back_to_service(with_query(callback, state="forged-state-value")))


def test_missing_state_is_refused(provider_browser, client):
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    assert_refused(client, provider_browser.back_to_service(with_query(callback, state=None)))


def test_callback_replayed_later_is_refused(provider_browser, client):
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    assert provider_browser.back_to_service(callback).status_code == 302
    client.logout()
    assert_refused(client, provider_browser.back_to_service(callback), accounts=1)


def test_callback_in_another_browser_is_refused(provider_browser, client):
    """A code sent to someone else's browser (login CSRF / code injection): no state in that session."""
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    client.cookies.clear()
    assert_refused(client, provider_browser.back_to_service(callback))


def test_code_exchange_without_the_pkce_verifier_fails(provider_browser, client):
    authorization = provider_browser.start("franceconnect")
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    session = client.session
    key = f"_state_franceconnect_{state}"
    stored = session[key]
    stored["data"].pop("code_verifier")
    session[key] = stored
    session.save()
    assert_refused(
        client, provider_browser.back_to_service(provider_browser.authenticate(authorization, "amina-benali"))
    )


def test_cancel_at_the_provider_returns_to_login(provider_browser, client):
    callback = provider_browser.cancel(provider_browser.start("franceconnect"))
    response = provider_browser.back_to_service(callback)
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session and not User.objects.exists()


def test_provider_down_at_start_is_a_clear_message(client, settings):
    settings.WIF_OIDC_PROVIDERS = {
        "franceconnect": {
            "issuer": f"http://127.0.0.1:{_free_port()}",
            "client_id": "x",
            "client_secret": "y",
        }
    }
    response = client.post(reverse("oidc:start", kwargs={"provider": "franceconnect"}))
    assert_refused(client, response, status=502, message=UNAVAILABLE)


def test_provider_down_at_callback_is_a_clear_message(provider_browser, client, settings):
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    settings.WIF_OIDC_PROVIDERS = {
        "franceconnect": {
            "issuer": f"http://127.0.0.1:{_free_port()}",
            "client_id": "x",
            "client_secret": "y",
        }
    }
    assert_refused(client, provider_browser.back_to_service(callback), status=502, message=UNAVAILABLE)


def test_provider_too_slow_is_a_clear_message(provider_browser, client, oidc, settings):
    settings.WIF_OIDC_TIMEOUT = 1
    callback = provider_browser.authenticate(provider_browser.start("franceconnect"), "amina-benali")
    oidc.set_mode("slow", ms=3000)
    assert_refused(client, provider_browser.back_to_service(callback), status=502, message=UNAVAILABLE)
