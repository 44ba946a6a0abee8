"""ProConnect for employers and invited agents, over HTTP against the local provider."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workinfrance.accounts.models import Role, User
from workinfrance.core.models import Event
from workinfrance.dossiers.models import Dossier, FilerKind
from workinfrance.oidc.models import OidcIdentity
from workinfrance.oidc.protocol import SignIn
from workinfrance.oidc.second_factor import second_factor_from_proconnect

from tests.factories import UserFactory, agent_of, category

pytestmark = pytest.mark.django_db


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get(SESSION_KEY)).first()


def test_authorization_request_asks_proconnect_scopes_and_amr(provider_browser):
    query = parse_qs(urlsplit(provider_browser.start("proconnect", purpose="agent")).query)
    assert query["scope"] == ["openid email given_name usual_name siret uid"]
    assert query["claims"] == ['{"id_token":{"amr":{"essential":true}}}']
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]


def test_employer_signs_up_and_the_siret_is_prefilled(provider_browser, client):
    response = provider_browser.sign_in("proconnect", "claire-dupont", purpose="employer")
    assert response["Location"] == reverse("accounts:after_login")
    user = signed_in_user(client)
    assert (user.role, user.first_name, user.last_name) == (Role.APPLICANT, "Claire", "DUPONT")
    assert OidcIdentity.objects.get(user=user, provider="proconnect").claims["siret"] == "73282932000074"
    client.post(reverse("applicant:new"), {"filer_kind": FilerKind.EMPLOYER, "category": category().pk})
    dossier = Dossier.objects.get(applicant=user)
    assert dossier.employer_siret == "73282932000074"
    page = client.get(reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "employer"}))
    assert 'value="73282932000074"' in page.content.decode()
    # Only when the employer files: a mandated student's dossier is not the signer's organisation.
    client.post(reverse("applicant:new"), {"filer_kind": FilerKind.STUDENT, "category": category().pk})
    assert Dossier.objects.filter(applicant=user, filer_kind=FilerKind.STUDENT).get().employer_siret == ""


def test_invited_agent_signs_in_with_proconnect_and_its_mfa(provider_browser, client, paris):
    agent = agent_of(paris, email="agent.paris@workinfrance.test")
    response = provider_browser.sign_in("proconnect", "agent-paris", purpose="agent")
    assert response["Location"] == reverse("accounts:after_login")
    assert signed_in_user(client) == agent
    assert client.session["wif_second_factor"] == "proconnect-mfa"
    assert client.get(reverse("accounts:after_login"))["Location"] == reverse("backoffice:inbox")
    assert client.get(reverse("backoffice:inbox")).status_code == 200
    assert Event.objects.filter(
        verb="oidc.linked", target_id=str(agent.pk), data__by="staff_invitation"
    ).exists()
    signed_in = Event.objects.get(verb="account.signed_in", target_id=str(agent.pk))
    assert signed_in.data["method"] == "proconnect" and "mfa" in signed_in.data["amr"]
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


def test_agent_without_mfa_at_proconnect_is_not_marked(provider_browser, client, lyon):
    agent = agent_of(lyon, email="agent.lyon@workinfrance.test")
    provider_browser.sign_in("proconnect", "agent-lyon", purpose="agent")
    assert signed_in_user(client) == agent
    assert "wif_second_factor" not in client.session
    # The second-factor step asks for the agent's own factor before the back office...
    assert client.get(reverse("backoffice:inbox"))["Location"].startswith(reverse("accounts:second_factor"))
    # ...and signing out (here and at ProConnect) stays possible meanwhile.
    response = client.post(reverse("oidc:logout"))
    assert response["Location"].startswith(provider_browser.provider.issuer("proconnect") + "/session/end")
    assert signed_in_user(client) is None


def test_unknown_professional_is_refused_and_never_becomes_staff(provider_browser, client):
    response = provider_browser.sign_in("proconnect", "jean-inconnu", purpose="agent")
    assert response.status_code == 403
    assert "pas enregistrée comme agent" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="agent.inconnu@ministere.test").exists()


def test_unknown_professional_as_employer_gets_an_applicant_account_only(provider_browser, client):
    provider_browser.sign_in("proconnect", "jean-inconnu", purpose="employer")
    user = User.objects.get(email="agent.inconnu@ministere.test")
    assert user.role == Role.APPLICANT and not user.is_agent and not user.units.exists()
    assert client.get(reverse("backoffice:inbox")).status_code in (403, 404)


def test_agent_entry_refuses_an_applicant_account(provider_browser, client):
    applicant = UserFactory(email="claire.dupont@boulangerie-exemple.test")
    response = provider_browser.sign_in("proconnect", "claire-dupont", purpose="agent")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert Event.objects.filter(
        verb="oidc.refused_unknown_professional", target_id=str(applicant.pk)
    ).exists()
    assert not OidcIdentity.objects.filter(user=applicant).exists()


def test_staff_without_a_unit_is_refused(provider_browser, client):
    UserFactory(email="agent.paris@workinfrance.test", role=Role.AGENT)
    response = provider_browser.sign_in("proconnect", "agent-paris", purpose="agent")
    assert response.status_code == 403 and signed_in_user(client) is None


def test_unit_requiring_proconnect_refuses_its_staff_passwords(provider_browser, client, paris):
    agent = agent_of(paris, email="agent.paris@workinfrance.test")
    assert client.login(username=agent.email, password="correct-horse-battery")
    paris.require_proconnect = True
    paris.save()
    # The open password session ends at the next request.
    response = client.get(reverse("backoffice:inbox"))
    assert response.status_code == 302 and not response.wsgi_request.user.is_authenticated
    assert not client.login(username=agent.email, password="correct-horse-battery")
    response = client.post(
        reverse("accounts:login"), {"username": agent.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    # ProConnect still works.
    provider_browser.sign_in("proconnect", "agent-paris", purpose="agent")
    assert signed_in_user(client) == agent
    assert client.get(reverse("backoffice:inbox")).status_code == 200


def test_other_units_keep_passwords(client, paris, lyon):
    paris.require_proconnect = True
    paris.save()
    agent = agent_of(lyon)
    assert client.login(username=agent.email, password="correct-horse-battery")


def _sign_in(provider, amr):
    return SignIn(provider=provider, sub="s", claims={}, id_token="t", amr=amr)


def test_second_factor_contract(rf):
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    assert not second_factor_from_proconnect(request, _sign_in("proconnect", ("pwd",)))
    assert not second_factor_from_proconnect(request, _sign_in("franceconnect", ("pwd", "mfa")))
    assert "wif_second_factor" not in request.session
    assert second_factor_from_proconnect(request, _sign_in("proconnect", ("pwd", "mfa")))
    assert request.session["wif_second_factor"] == "proconnect-mfa"
