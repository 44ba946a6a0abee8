"""Staff never work on a password alone: through the real sign-in views (never force_login), a staff
session reaches no back-office or admin page until a second factor is given; TOTP codes are checked
with pyotp (an independent RFC 6238 implementation, as an authenticator app would compute them)."""

import base64
import html
import re
import time

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from workinfrance.accounts import second_factor_services as services
from workinfrance.accounts.models import RecoveryCode, Role, User
from workinfrance.accounts.second_factor import SESSION_KEY
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import State

from tests.dossiers.helpers import dossier_in_state
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def password_login(client, user, next_url=None):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.email, "password": PASSWORD}, follow=True)


def text(response) -> str:
    return html.unescape(response.content.decode())


def enrolled_totp(user) -> pyotp.TOTP:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def verify(client, code, next_url=None):
    url = reverse("accounts:second_factor") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code})


def staff_pages(dossier):
    return [
        reverse("backoffice:inbox"),
        reverse("backoffice:workload"),
        reverse("backoffice:export_csv"),
        reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}),
        reverse("stats:unit"),
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("core:home"),
    ]


@pytest.fixture
def staff(paris):
    return {
        Role.AGENT: UserFactory(role=Role.AGENT, units=[paris]),
        Role.SUPERVISOR: UserFactory(role=Role.SUPERVISOR, units=[paris]),
        Role.ADMINISTRATOR: UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("enrolled", [False, True], ids=["first-login", "enrolled"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_password_alone_reaches_no_back_office_or_admin_page(client, staff, paris, role, enrolled):
    user = staff[role]
    if enrolled:
        enrolled_totp(user)
    dossier = dossier_in_state(State.SUBMITTED, applicant=UserFactory(), unit=paris)
    landing = password_login(client, user)
    expected = "accounts:second_factor" if enrolled else "accounts:second_factor_setup"
    assert landing.request["PATH_INFO"] == reverse(expected)
    assert client.session["_auth_user_id"] == str(user.pk) and SESSION_KEY not in client.session
    for url in staff_pages(dossier):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:second_factor")), url
    # Writes are refused the same way, and change nothing.
    response = client.post(reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "take"}))
    assert response.status_code == 302 and response.url == reverse("accounts:second_factor")
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_applicants_are_not_asked_for_a_second_factor(client, db):
    applicant = UserFactory()
    landing = password_login(client, applicant)
    assert landing.request["PATH_INFO"] == reverse("applicant:dashboard")


def test_enrolled_agent_is_accepted_with_a_totp_code_and_lands_where_asked(client, staff, paris):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    dossier = dossier_in_state(State.SUBMITTED, applicant=UserFactory(), unit=paris)
    wanted = reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})
    landing = password_login(client, agent, next_url=wanted)
    assert landing.request["PATH_INFO"] == reverse("accounts:second_factor")
    assert f'value="{wanted}"' in text(landing)

    wrong = verify(client, f"{(int(totp.now()) + 1) % 1_000_000:06d}", wanted)
    assert wrong.status_code == 200
    assert "Ce code n'est pas valide" in text(wrong)
    assert client.get(reverse("backoffice:inbox")).status_code == 302

    response = verify(client, totp.now(), wanted)
    assert response.status_code == 302 and response.url == wanted
    assert client.session[SESSION_KEY] == "totp"
    assert client.get(wanted).status_code == 200
    assert client.get(reverse("backoffice:inbox")).status_code == 200


def test_the_verified_session_gets_a_new_key(client, staff):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    before = client.session.session_key
    verify(client, totp.now())
    assert client.session.session_key != before


def test_an_external_next_is_not_followed(client, staff):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    response = verify(client, totp.now(), "https://evil.example/instruction/")
    assert response.url == reverse("accounts:after_login")


def test_a_totp_code_is_accepted_once(client, staff):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    code = totp.now()
    assert verify(client, code).status_code == 302
    client.post(reverse("accounts:logout"))

    password_login(client, agent)
    replay = verify(client, code)
    assert replay.status_code == 200
    assert "Ce code n'est pas valide" in text(replay)
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("steps", [-3, -2, 2, 3])
def test_a_totp_code_out_of_its_window_is_refused(client, staff, steps):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    response = verify(client, totp.at(time.time() + steps * 30))
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_one_step_of_clock_drift_is_tolerated(client, staff):
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    assert verify(client, totp.at(time.time() - 30)).status_code == 302
    assert client.session[SESSION_KEY] == "totp"


def test_brute_force_on_the_second_factor_is_throttled(client, staff, settings):
    # A first wait longer than the test, however slow the machine.
    settings.WIF_THROTTLE_RULES = {"second_factor": {"base_delay": 600}}
    agent = staff[Role.AGENT]
    totp = enrolled_totp(agent)
    password_login(client, agent)
    right = totp.now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    statuses = [verify(client, wrong).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5  # the free allowance
    assert statuses[5] == 429
    # While the wait lasts even the right code is not examined: guessing gets no faster.
    blocked = verify(client, right)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Trop de tentatives" in text(blocked)
    assert SESSION_KEY not in client.session
    # The passkey way is behind the same throttle.
    passkey = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert passkey.status_code == 429
    assert client.get(reverse("backoffice:inbox")).status_code == 302


def test_first_login_enrols_an_authenticator_app_and_gives_ten_recovery_codes(client, staff):
    agent = staff[Role.AGENT]
    setup = password_login(client, agent)
    assert setup.request["PATH_INFO"] == reverse("accounts:second_factor_setup")
    page = setup.content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page
    # The page shows the same secret until it is confirmed (a reload does not change the QR code).
    assert grouped in client.get(reverse("accounts:second_factor_setup")).content.decode()
    assert TOTPDevice.objects.filter(user=agent).count() == 1

    refused = client.post(reverse("accounts:second_factor_setup"), {"code": "000000"})
    assert "Ce code n'est pas valide" in text(refused)
    response = client.post(reverse("accounts:second_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:recovery_codes"))
    assert client.session[SESSION_KEY] == "totp"
    assert TOTPDevice.objects.get(user=agent).confirmed

    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once; stored as digests only.
    assert codes[0] not in client.get(reverse("accounts:recovery_codes")).content.decode()
    stored = RecoveryCode.objects.filter(user=agent)
    assert stored.count() == 10 and not stored.filter(digest__in=codes).exists()
    assert client.get(reverse("backoffice:inbox")).status_code == 200
    assert Event.objects.filter(
        verb="account.second_factor_enrolled", target_id=str(agent.pk), data__method="totp"
    ).exists()


def test_an_enrolled_user_with_only_a_password_cannot_enrol_another_factor(client, staff):
    agent = staff[Role.AGENT]
    enrolled_totp(agent)
    password_login(client, agent)
    assert client.get(reverse("accounts:second_factor_setup")).url.startswith(
        reverse("accounts:second_factor")
    )
    client.post(reverse("accounts:second_factor_setup"), {"code": "123456"})
    assert TOTPDevice.objects.filter(user=agent).count() == 1
    assert client.post(reverse("otp_webauthn:credential-registration-begin")).status_code == 403
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302
    assert client.post(reverse("accounts:recovery_codes")).status_code == 302
    assert not RecoveryCode.objects.filter(user=agent).exists()


def test_a_recovery_code_works_once(client, staff):
    agent = staff[Role.AGENT]
    enrolled_totp(agent)
    codes = services.recovery_codes_create(user=agent)
    password_login(client, agent)
    response = client.post(
        reverse("accounts:second_factor_recovery"), {"code": codes[3].lower().replace("-", " ")}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "recovery"
    assert client.get(reverse("backoffice:inbox")).status_code == 200
    assert services.recovery_codes_left(agent) == 9
    assert Event.objects.filter(verb="account.recovery_code_used", target_id=str(agent.pk)).exists()
    client.post(reverse("accounts:logout"))

    password_login(client, agent)
    again = client.post(reverse("accounts:second_factor_recovery"), {"code": codes[3]})
    assert again.status_code == 200 and SESSION_KEY not in client.session
    other = UserFactory(role=Role.AGENT)
    assert not services.recovery_code_use(user=other, code=codes[4])


def test_the_administrator_resets_a_lost_factor_and_the_next_login_enrols_again(client, staff):
    agent, admin = staff[Role.AGENT], staff[Role.ADMINISTRATOR]
    enrolled_totp(agent)
    services.recovery_codes_create(user=agent)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [agent.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not RecoveryCode.objects.filter(user=agent).exists()
    event = Event.objects.get(verb="account.second_factor_reset", target_id=str(agent.pk))
    assert event.actor == admin
    assert event.data == {"totp": 1, "passkeys": 0, "recovery_codes": 10}
    client.post(reverse("accounts:logout"))

    landing = password_login(client, agent)
    assert landing.request["PATH_INFO"] == reverse("accounts:second_factor_setup")


def test_only_an_administrator_resets_a_factor(staff):
    from django.core.exceptions import PermissionDenied

    agent, supervisor = staff[Role.AGENT], staff[Role.SUPERVISOR]
    enrolled_totp(agent)
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(actor=supervisor, user=agent)
    assert TOTPDevice.objects.filter(user=agent).exists()


def test_staff_created_in_the_admin_enrol_at_their_first_login(client, staff, paris):
    """Staff exist only by an administrator's hand; whatever password was set, the first sign-in enrols."""
    client.force_login(staff[Role.ADMINISTRATOR])
    client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new.agent@example.test", "role": Role.AGENT, "password1": PASSWORD, "password2": PASSWORD},
    )
    agent = User.objects.get(email="new.agent@example.test")
    client.post(reverse("accounts:logout"))
    landing = password_login(client, agent)
    assert landing.request["PATH_INFO"] == reverse("accounts:second_factor_setup")
    assert client.get(reverse("backoffice:inbox")).status_code == 302


def test_a_proconnect_session_with_mfa_is_not_asked_again(client, staff):
    """The contract with the ProConnect sign-in: it marks the session, the check lets it through."""
    agent = staff[Role.AGENT]
    password_login(client, agent)
    session = client.session
    session[SESSION_KEY] = "proconnect-mfa"
    session.save()
    assert client.get(reverse("backoffice:inbox")).status_code == 200


def test_the_pages_speak_english(client, staff):
    agent = staff[Role.AGENT]
    enrolled_totp(agent)
    client.cookies["django_language"] = "en"
    page = password_login(client, agent).content.decode()
    assert "Two-step verification" in page
    setup_user = staff[Role.SUPERVISOR]
    client.post(reverse("accounts:logout"))
    client.cookies["django_language"] = "en"
    assert "Turn on two-step verification" in text(password_login(client, setup_user))


def test_the_passkey_scripts_speak_french(client, db):
    """django-otp-webauthn ships no French: its script messages come from this repository's catalogue."""
    french = client.get(reverse("otp_webauthn:js-i18n-catalog")).content.decode()
    assert "Enregistrement interrompu." in french
    client.cookies["django_language"] = "en"
    assert (
        "Enregistrement interrompu."
        not in client.get(reverse("otp_webauthn:js-i18n-catalog")).content.decode()
    )


def test_demo_staff_sign_in_with_the_printed_secret(client, db):
    from workinfrance.accounts.demo import DEMO_TOTP_SECRET
    from workinfrance.core.demo import DEMO_PASSWORD, demo_accounts_table, seed_units_and_accounts

    seed_units_and_accounts()
    seed_units_and_accounts()  # idempotent: still one demo device each
    assert DEMO_TOTP_SECRET in demo_accounts_table()
    agent = User.objects.get(email="agent.paris@workinfrance.test")
    assert TOTPDevice.objects.filter(user=agent).count() == 1
    assert not TOTPDevice.objects.filter(user__email="etudiante@workinfrance.test").exists()
    client.post(reverse("accounts:login"), {"username": agent.email, "password": DEMO_PASSWORD})
    response = verify(client, pyotp.TOTP(DEMO_TOTP_SECRET).now())
    assert response.status_code == 302
    assert client.get(reverse("backoffice:inbox")).status_code == 200


def test_the_admin_login_page_leads_to_the_second_factor_too(client, staff):
    admin = staff[Role.ADMINISTRATOR]
    totp = enrolled_totp(admin)
    response = client.post(
        reverse("admin:login") + "?next=" + reverse("admin:index"),
        {"username": admin.email, "password": PASSWORD},
        follow=True,
    )
    assert response.request["PATH_INFO"] == reverse("accounts:second_factor")
    assert client.get(reverse("admin:index")).status_code == 302
    assert verify(client, totp.now(), reverse("admin:index")).url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
