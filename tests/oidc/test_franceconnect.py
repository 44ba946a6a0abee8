"""FranceConnect for applicants, over HTTP against the local provider (the npm oidc-provider)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from workinfrance.accounts.models import Role, User
from workinfrance.core.models import Event
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.errors import DossierActionError
from workinfrance.dossiers.fields import APPLICANT_FIELDS, FILER_FIELDS
from workinfrance.dossiers.identity import CERTIFIED_IDENTITY_FIELDS
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier, FilerKind
from workinfrance.oidc.models import OidcIdentity

from tests.factories import DossierFactory, UserFactory, attach_required_documents, category

pytestmark = pytest.mark.django_db

AMINA_EMAIL = "amina.benali@franceconnect.test"


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get(SESSION_KEY)).first()


def test_authorization_request_carries_state_nonce_pkce_scopes_and_eidas1(provider_browser):
    query = parse_qs(urlsplit(provider_browser.start("franceconnect")).query)
    assert query["scope"] == ["openid given_name family_name birthdate birthplace birthcountry gender email"]
    assert query["acr_values"] == ["eidas1"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["client_id"] == ["wif-franceconnect"]


def test_signup_with_franceconnect_certifies_the_identity_up_to_the_filed_dossier(
    provider_browser, client, paris, agent, django_capture_on_commit_callbacks
):
    response = provider_browser.sign_in("franceconnect", "amina-benali")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:after_login")
    user = signed_in_user(client)
    assert (user.email, user.first_name, user.last_name, user.role) == (
        AMINA_EMAIL,
        "Amina",
        "BENALI",
        Role.APPLICANT,
    )
    assert user.email_confirmed and not user.has_usable_password()
    identity = OidcIdentity.objects.get(user=user, provider="franceconnect", confirmed=True)
    assert identity.claims["birthcountry"] == "99352" and identity.claims["acr"] == "eidas1"
    assert {"account.signed_up", "oidc.linked", "account.signed_in"} <= set(
        Event.objects.filter(target_id=str(user.pk)).values_list("verb", flat=True)
    )

    # The student files: names and birth date come from FranceConnect, shown certified and locked.
    response = client.post(
        reverse("applicant:new"), {"filer_kind": FilerKind.STUDENT, "category": category().pk}
    )
    dossier = Dossier.objects.get(applicant=user)
    assert (dossier.student_first_name, dossier.student_last_name, str(dossier.student_birth_date)) == (
        "Amina",
        "BENALI",
        "2002-04-12",
    )
    assert dossier.student_identity_certified_by == "franceconnect"
    step = reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "student"})
    page = client.get(step).content.decode()
    assert "Identité certifiée par FranceConnect" in page
    assert page.count("Identité certifiée par FranceConnect : non modifiable.") == 3
    for name in CERTIFIED_IDENTITY_FIELDS:
        assert re.search(rf'<input[^>]*name="{name}"[^>]*disabled', page), name
    # A forged form cannot change them.
    client.post(
        step, {"student_first_name": "Mallory", "student_last_name": "X", "student_birth_date": "1990-01-01"}
    )
    dossier.refresh_from_db()
    assert (dossier.student_first_name, dossier.student_last_name) == ("Amina", "BENALI")

    complete = DossierFactory.build(applicant=user)
    dossier_services.dossier_draft_update(
        dossier=dossier,
        actor=user,
        changes={
            name: getattr(complete, name)
            for name in APPLICANT_FIELDS
            if name not in FILER_FIELDS and name not in CERTIFIED_IDENTITY_FIELDS
        },
    )
    attach_required_documents(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applicant:submit", kwargs={"uuid": dossier.uuid}))
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED and dossier.unit == paris
    assert dossier.student_identity_certified_by == "franceconnect" and dossier.student_identity_certified_at
    assert Event.objects.filter(verb="dossier.create", data__identity_certified_by="franceconnect").exists()

    # The agent sees that the identity was certified.
    client.force_login(agent)
    page = client.get(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})).content.decode()
    assert "Identité certifiée par FranceConnect" in page


def test_the_draft_service_refuses_to_change_a_certified_identity(applicant):
    dossier = DossierFactory(applicant=applicant, student_identity_certified_by="franceconnect")
    with pytest.raises(DossierActionError):
        dossier_services.dossier_draft_update(
            dossier=dossier,
            actor=applicant,
            changes={"student_birth_date": dossier.student_birth_date.replace(year=1999)},
        )
    uncertified = DossierFactory(applicant=applicant)
    dossier_services.dossier_draft_update(
        dossier=uncertified, actor=applicant, changes={"student_first_name": "Inès"}
    )


def test_employer_filing_gets_no_certified_student_identity(provider_browser, client):
    provider_browser.sign_in("franceconnect", "lucas-martin")
    client.post(reverse("applicant:new"), {"filer_kind": FilerKind.EMPLOYER, "category": category().pk})
    dossier = Dossier.objects.get(applicant=signed_in_user(client))
    assert dossier.student_identity_certified_by == "" and dossier.student_first_name == ""


@pytest.mark.parametrize("alg", ["ES256", "RS256", "json-userinfo"])
def test_id_token_and_userinfo_in_both_algorithms_signed_or_plain(oidc, settings, client, alg):
    from .flows import ProviderBrowser

    settings.WIF_OIDC_PROVIDERS = oidc.settings_for(franceconnect_alg=alg)
    response = ProviderBrowser(oidc, client).sign_in("franceconnect", "lucas-martin")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.first_name == "Lucas Jean"  # a userinfo claim: the signed userinfo was read
    assert OidcIdentity.objects.get(user=user).claims["birthplace"] == "75107"


def test_second_sign_in_finds_the_same_account(provider_browser, client):
    provider_browser.sign_in("franceconnect", "lucas-martin")
    first = signed_in_user(client)
    client.logout()
    provider_browser.sign_in("franceconnect", "lucas-martin")
    assert signed_in_user(client) == first
    assert User.objects.filter(email="lucas.martin@franceconnect.test").count() == 1


@pytest.fixture
def existing_account(db):
    return UserFactory(email="etudiante@workinfrance.test", first_name="Inès", last_name="Diallo")


def test_existing_account_is_not_taken_over_without_its_password(provider_browser, client, existing_account):
    response = provider_browser.sign_in("franceconnect", "etudiante-demo")
    assert response["Location"] == reverse("oidc:link")
    assert signed_in_user(client) is None
    assert not OidcIdentity.objects.filter(user=existing_account, confirmed=True).exists()
    page = client.get(reverse("oidc:link"))
    assert "etudiante@workinfrance.test" in page.content.decode()

    response = client.post(reverse("oidc:link"), {"password": "wrong-password-123"})
    assert response.status_code == 400 and signed_in_user(client) is None
    assert not OidcIdentity.objects.filter(user=existing_account, confirmed=True).exists()

    response = client.post(reverse("oidc:link"), {"password": "correct-horse-battery"})
    assert response.status_code == 302 and signed_in_user(client) == existing_account
    assert OidcIdentity.objects.filter(user=existing_account, confirmed=True).exists()
    assert Event.objects.filter(
        verb="oidc.linked", target_id=str(existing_account.pk), data__by="password"
    ).exists()
    # From now on FranceConnect signs in directly.
    client.logout()
    provider_browser.sign_in("franceconnect", "etudiante-demo")
    assert signed_in_user(client) == existing_account


def test_pending_link_is_dropped_after_a_few_wrong_passwords(provider_browser, client, existing_account):
    provider_browser.sign_in("franceconnect", "etudiante-demo")
    for _ in range(5):
        client.post(reverse("oidc:link"), {"password": "wrong-password-123"})
    assert not OidcIdentity.objects.filter(user=existing_account).exists()
    response = client.post(reverse("oidc:link"), {"password": "correct-horse-battery"})
    assert response["Location"] == reverse("accounts:login") and signed_in_user(client) is None


def test_existing_account_linked_by_email_confirmation(
    provider_browser, client, existing_account, mailoutbox
):
    provider_browser.sign_in("franceconnect", "etudiante-demo")
    page = client.post(reverse("oidc:link"), {"send_email": "1"})
    assert "etudiante@workinfrance.test" in page.content.decode()
    assert signed_in_user(client) is None
    (mail,) = mailoutbox
    assert mail.to == ["etudiante@workinfrance.test"]
    link = re.search(r"http://\S+/comptes/oidc/lier/\S+/", mail.body).group(0)
    path = urlsplit(link).path
    client.get(path)  # opening the link (a mail scanner) changes nothing
    assert not OidcIdentity.objects.filter(user=existing_account, confirmed=True).exists()
    assert client.post(path.replace(path.rsplit("/", 2)[1], "forged")).status_code == 400
    client.post(path)
    assert OidcIdentity.objects.filter(user=existing_account, confirmed=True).exists()
    assert Event.objects.filter(
        verb="oidc.linked", target_id=str(existing_account.pk), data__by="email"
    ).exists()
    provider_browser.sign_in("franceconnect", "etudiante-demo")
    assert signed_in_user(client) == existing_account


def test_a_staff_address_is_never_linked_to_franceconnect(provider_browser, client, paris):
    from tests.factories import agent_of

    agent = agent_of(paris, email=AMINA_EMAIL)
    response = provider_browser.sign_in("franceconnect", "amina-benali")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert not OidcIdentity.objects.filter(user=agent).exists()


def test_logout_at_franceconnect_with_id_token_hint(provider_browser, client):
    provider_browser.sign_in("franceconnect", "lucas-martin")
    id_token = client.session["wif_oidc_id_token"]
    response = client.post(reverse("oidc:logout"))
    assert signed_in_user(client) is None
    end_session = response["Location"]
    query = parse_qs(urlsplit(end_session).query)
    assert end_session.startswith(provider_browser.provider.issuer("franceconnect") + "/session/end")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/comptes/oidc/deconnexion/retour/"]
    back = provider_browser.logout_at_provider(end_session)
    assert urlsplit(back).path == reverse("oidc:logout_return")
    response = provider_browser.back_to_service(back)
    assert response["Location"] == reverse("core:home")
    assert "Vous êtes déconnecté." in [str(m) for m in response.wsgi_request._messages]


def test_password_session_logs_out_locally(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("oidc:logout"))
    assert response["Location"] == reverse("core:home") and signed_in_user(client) is None


def test_unconfigured_provider_is_not_offered(client, settings):
    settings.WIF_OIDC_PROVIDERS = {"franceconnect": {"issuer": "http://127.0.0.1:1", "client_id": "x"}}
    page = client.get(reverse("accounts:login")).content.decode()
    assert "FranceConnect" not in page and "ProConnect" not in page
    assert client.post(reverse("oidc:start", kwargs={"provider": "franceconnect"})).status_code == 404
    assert client.post(reverse("oidc:start", kwargs={"provider": "other"})).status_code == 404


def test_login_page_draws_the_dsfr_franceconnect_button(oidc, client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="fr-connect"' in page and "fr-connect__brand" in page
    assert re.search(r"Qu’est-ce que FranceConnect\s?\?</a>", page)
    assert 'href="https://franceconnect.gouv.fr/"' in page
    assert reverse("oidc:start", kwargs={"provider": "franceconnect"}) in page


def test_csp_lets_forms_reach_the_configured_providers_only(oidc, client, settings):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()[1:]
    assert form_action == ["'self'", oidc.issuer("franceconnect"), oidc.issuer("proconnect")]
    settings.WIF_OIDC_PROVIDERS = {}
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "form-action 'self';" in policy
