"""Tokens in the web interface: supervisors for their units, employer accounts for their verified
SIRETs; the secret shown once and stored hashed; revocation."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.api.models import ApiToken, WebhookEndpoint
from workinfrance.api.owners import employer_sirets
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import FilerKind

from tests.api.helpers import call, make_token
from tests.dossiers.helpers import dossier_in_state
from tests.factories import VALID_SIRET, UserFactory


def _create(client, owner: str, scopes=("dossiers:read",), days=30):
    expires = (timezone.localdate() + timezone.timedelta(days=days)).isoformat()
    return client.post(
        reverse("api:tokens"), {"owner": owner, "name": "SIRH", "scopes": list(scopes), "expires_on": expires}
    )


def test_supervisor_creates_a_token_shown_once_and_stored_hashed(client, world):
    client.force_login(world.supervisor)
    response = _create(client, f"unit:{world.paris.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    secret = response.context["created"].plaintext
    assert secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.secret_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    assert secret.split("_", 2)[2] not in str(ApiToken.objects.values().get())
    # Never again on the page.
    assert secret not in client.get(reverse("api:tokens")).content.decode()
    assert call(client, "GET", "/api/v1/unit/dossiers", secret).status_code == 200
    # Revoked: refused at once.
    client.post(reverse("api:token_revoke", args=[token.pk]))
    assert call(client, "GET", "/api/v1/unit/dossiers", secret).status_code == 401


def test_a_supervisor_cannot_create_for_another_unit_nor_revoke_its_tokens(client, world):
    client.force_login(world.supervisor)
    response = _create(client, f"unit:{world.lyon.pk}")
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    client.force_login(world.lyon_supervisor)
    _create(client, f"unit:{world.lyon.pk}")
    lyon_token = ApiToken.objects.get()
    client.force_login(world.supervisor)
    assert client.post(reverse("api:token_revoke", args=[lyon_token.pk])).status_code == 404
    lyon_token.refresh_from_db()
    assert lyon_token.revoked_at is None


def test_an_agent_or_a_plain_applicant_has_no_api_pages(client, world):
    for user in (world.agent, UserFactory()):
        client.force_login(user)
        assert client.get(reverse("api:tokens")).status_code == 403
        assert client.get(reverse("api:webhooks")).status_code == 403


def test_an_employer_answers_only_for_sirets_a_unit_accepted(client, world):
    # Naming a SIRET in a draft, or in a dossier not yet accepted, opens nothing.
    claimant = UserFactory()
    dossier_in_state(State.DRAFT, applicant=claimant, filer_kind=FilerKind.EMPLOYER, documents=False)
    dossier_in_state(
        State.SUBMITTED, applicant=claimant, unit=world.paris, filer_kind=FilerKind.EMPLOYER, documents=False
    )
    assert employer_sirets(claimant) == []
    client.force_login(claimant)
    assert client.get(reverse("api:tokens")).status_code == 403
    client.force_login(world.employer)
    response = _create(client, f"siret:{VALID_SIRET}", scopes=("dossiers:read", "documents:read"))
    secret = response.context["created"].plaintext
    listed = call(client, "GET", "/api/v1/employer/dossiers", secret).json()["items"]
    assert {d["number"] for d in listed} >= {world.in_review.number, world.accepted.number}
    assert world.lyon_dossier.number not in {d["number"] for d in listed}
    refused = _create(client, "siret:35600000000048")
    assert "owner" in refused.context["form"].errors
    refused = _create(client, f"siret:{VALID_SIRET}", scopes=("dossiers:act",))
    assert refused.context["created"] is None and ApiToken.objects.count() == 1


@pytest.mark.parametrize("days", [0, 400])
def test_expiry_within_the_coming_year(client, world, days):
    client.force_login(world.supervisor)
    response = _create(client, f"unit:{world.paris.pk}", days=days)
    assert "expires_on" in response.context["form"].errors and not ApiToken.objects.exists()


def test_webhook_page_shows_the_secret_once(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("api:webhooks"),
        {
            "owner": f"unit:{world.paris.pk}",
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["dossier.decided"],
        },
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert secret not in endpoint.secret_encrypted
    assert secret not in client.get(reverse("api:webhook", args=[endpoint.pk])).content.decode()


def test_the_rest_api_is_not_behind_the_staff_second_factor_but_its_pages_are(client, world):
    from workinfrance.accounts.second_factor import SESSION_KEY

    token = make_token(world.supervisor, unit=world.paris)
    client.force_login(world.supervisor)
    session = client.session
    del session[SESSION_KEY]  # signed in with the password only
    session.save()
    # Token calls never use the session: they answer, whatever session cookie comes along.
    assert call(client, "GET", "/api/v1/unit/dossiers", token).status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    # The pages that create tokens and webhooks are staff pages like any other.
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302 and response.url.startswith("/comptes/")
