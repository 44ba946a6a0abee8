"""The one throttle for every way in (issue 11, points 1 to 4)."""

import re
import types

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from workinfrance.accounts import throttle
from workinfrance.accounts.models import Role, User

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand (the cache's own expiry is far longer than the tests)."""
    now = [1_900_000_000.0]
    monkeypatch.setattr(throttle, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


@pytest.fixture
def victim(db):
    return UserFactory(email="victim@example.test")


def login(client, username, password, address="192.0.2.1", path=LOGIN):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_spelling_variants_of_an_address_share_one_counter(victim, settings, clock):
    settings.WIF_THROTTLE_RULES = {"login": {"identifier_free": 4}}
    variants = [
        " victim@example.test",
        "\tvictim@example.test",
        "VICTIM@example.test",
        "victim@example.test\u200b",
    ]
    for number, variant in enumerate(variants):
        # A new address each time: only the account's own counter can stop the last attempt.
        assert login(Client(), variant, "wrong", address=f"198.51.100.{number}").status_code == 200
    client = Client()
    response = login(client, "victim@example.test ", PASSWORD, address="198.51.100.99")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "réessayez dans" in response.content.decode()
    assert not signed_in(client)


def test_a_success_on_another_account_never_clears_the_client_counter(victim, settings, clock):
    settings.WIF_THROTTLE_RULES = {"login": {"client_free": 4, "identifier_free": 100}}
    UserFactory(email="attacker@example.test")
    for round_ in range(2):
        assert login(Client(), victim.email, f"guess-{round_}").status_code == 200
        own = Client()
        assert login(own, "attacker@example.test", PASSWORD).status_code == 302  # interleaved own login
        assert signed_in(own)
    # Two failures so far from this address; the two successes in between cleared nothing.
    assert login(Client(), victim.email, "guess-2").status_code == 200
    assert login(Client(), victim.email, "guess-3").status_code == 200
    assert login(Client(), victim.email, "guess-4").status_code == 429


def test_the_admin_login_shares_the_throttle(db, settings, clock):
    settings.WIF_THROTTLE_RULES = {"login": {"identifier_free": 3}}
    admin = UserFactory(email="chief@example.test", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    for number in range(2):
        response = login(Client(), admin.email, "wrong", address=f"203.0.113.{number}", path=ADMIN_LOGIN)
        assert response.status_code == 200
    # The site's login form counts on the same key: the third failure is the last free one.
    assert login(Client(), admin.email, "wrong", address="203.0.113.7").status_code == 200
    client = Client()
    response = login(client, admin.email, PASSWORD, address="203.0.113.8", path=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "réessayez dans" in response.content.decode()
    assert not signed_in(client)
    clock[0] += 1  # the first wait is one second: then the right password works again
    assert login(client, admin.email, PASSWORD, address="203.0.113.8", path=ADMIN_LOGIN).status_code == 302
    assert signed_in(client)


def test_the_wait_doubles_with_every_failure_and_ends(victim, settings, clock):
    settings.WIF_THROTTLE_RULES = {
        "login": {"identifier_free": 2, "base_delay": 10, "identifier_max_delay": 40}
    }

    def wait_now() -> int:
        try:
            throttle.throttle_check(RequestFactory().post("/"), scope="login", identifier=victim.email)
        except throttle.Throttled as throttled:
            return throttled.retry_after
        return 0

    waits = []
    for _ in range(5):
        assert login(Client(), victim.email, "wrong").status_code == 200  # the previous wait is over
        waits.append(wait_now())
        if waits[-1]:
            assert login(Client(), victim.email, PASSWORD).status_code == 429  # even the right password
        clock[0] += waits[-1]
    assert waits == [0, 10, 20, 40, 40]  # progressive, capped: never a lockout that lasts
    client = Client()
    assert login(client, victim.email, PASSWORD).status_code == 302 and signed_in(client)


def test_the_owner_signs_in_from_a_known_device_while_an_attacker_keeps_trying(victim, settings, clock):
    settings.WIF_THROTTLE_RULES = {"login": {"identifier_free": 3, "identifier_max_delay": 3600}}
    owner = Client()
    assert login(owner, victim.email, PASSWORD).status_code == 302  # leaves the device cookie
    assert settings.WIF_THROTTLE_DEVICE_COOKIE in owner.cookies
    owner.post(reverse("accounts:logout"))
    for number in range(12):
        login(Client(), victim.email, "wrong", address=f"198.51.100.{number}")
    # A new browser waits (progressive delay on the account)...
    assert login(Client(), victim.email, PASSWORD, address="192.0.2.50").status_code == 429
    # ...the owner's browser does not, even from the attacker's own address.
    assert login(owner, victim.email, PASSWORD, address="198.51.100.1").status_code == 302
    assert signed_in(owner)
    # The cookie is for that account only: it does not lift another account's wait.
    other = UserFactory(email="other@example.test")
    for number in range(4):
        login(Client(), other.email, "wrong", address=f"198.51.100.{number}")
    owner.post(reverse("accounts:logout"))
    assert login(owner, other.email, PASSWORD).status_code == 429


def test_a_password_reset_link_lets_the_owner_back_in(victim, settings, clock, mailoutbox):
    settings.WIF_THROTTLE_RULES = {"login": {"identifier_free": 3, "identifier_max_delay": 3600}}
    for number in range(8):
        login(Client(), victim.email, "wrong", address=f"198.51.100.{number}")
    owner = Client()
    assert login(owner, victim.email, PASSWORD).status_code == 429
    owner.post(reverse("accounts:password_reset"), {"email": victim.email})
    path = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/\S+/)", mailoutbox[-1].body).group(1)
    form = owner.get(path, follow=True)
    new = "un-nouveau-secret-solide"
    owner.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert login(owner, victim.email, new).status_code == 302


@pytest.mark.parametrize("url", [reverse("accounts:password_reset"), reverse("accounts:resend_confirmation")])
def test_mail_sending_forms_cannot_flood_a_mailbox(db, clock, mailoutbox, url):
    UserFactory(email="flooded@example.test", email_confirmed=False)
    statuses = []
    for number in range(20):
        # Every post from a new address: the per-address key alone must stop the flood.
        response = Client().post(url, {"email": " Flooded@Example.test"}, REMOTE_ADDR=f"10.1.0.{number}")
        statuses.append(response.status_code)
    assert len(mailoutbox) == 3
    assert statuses.count(429) == 17


def same_page(response, address: str) -> str:
    """The page with the address typed and the per-request tokens blanked."""
    html = response.content.decode().replace(address, "ADDRESS")
    return re.sub(r'(nonce|value)="[^"]{16,}"', "", html)


def test_signup_answers_the_same_for_a_known_address_and_tells_its_owner(
    client, db, clock, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.test", preferred_language="fr")
    form = {
        "first_name": "A",
        "last_name": "B",
        "password1": "un-mot-de-passe-solide",
        "password2": "un-mot-de-passe-solide",
    }
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:signup"), {**form, "email": "Known@example.test"})
        new = client.post(reverse("accounts:signup"), {**form, "email": "new@example.test"})
    assert known.status_code == new.status_code == 200
    assert same_page(known, "known@example.test") == same_page(new, "new@example.test")
    assert "Un compte existe" not in known.content.decode()
    assert User.objects.filter(email__iexact="known@example.test").count() == 1
    to_owner, to_new = mailoutbox
    assert to_owner.to == ["known@example.test"] and "déjà un compte" in to_owner.body
    assert to_new.to == ["new@example.test"] and "/comptes/confirmer/" in to_new.body


def test_signup_is_throttled_per_address(db, clock, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.test")
    form = {
        "first_name": "A",
        "last_name": "B",
        "password1": "un-mot-de-passe-solide",
        "password2": "un-mot-de-passe-solide",
    }
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            response = Client().post(
                reverse("accounts:signup"),
                {**form, "email": "known@example.test"},
                REMOTE_ADDR=f"10.2.0.{number}",
            )
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert len(mailoutbox) == 3


def test_second_factor_api(db, settings, clock):
    """The calls the second-factor step makes (issue 12): check, fail, success."""
    settings.WIF_THROTTLE_RULES = {"second_factor": {"identifier_free": 2, "base_delay": 30}}
    factory = RequestFactory()

    def request(address="192.0.2.9"):
        return factory.post("/", REMOTE_ADDR=address)

    throttle.throttle_check(request(), scope="second_factor", identifier="agent@example.test")
    assert throttle.throttle_fail(request(), scope="second_factor", identifier="agent@example.test") == 0
    assert (
        throttle.throttle_fail(request("192.0.2.10"), scope="second_factor", identifier="Agent@example.test")
        == 30
    )
    with pytest.raises(throttle.Throttled) as raised:
        throttle.throttle_check(request("192.0.2.11"), scope="second_factor", identifier="agent@example.test")
    assert raised.value.retry_after == 30
    assert "30 secondes" in raised.value.message
    # Other scopes and other accounts are untouched.
    throttle.throttle_check(request("192.0.2.11"), scope="login", identifier="agent@example.test")
    throttle.throttle_check(request("192.0.2.11"), scope="second_factor", identifier="other@example.test")
    clock[0] += 30
    throttle.throttle_check(request(), scope="second_factor", identifier="agent@example.test")
    throttle.throttle_success(request(), scope="second_factor", identifier="agent@example.test")
    assert (
        throttle.throttle_fail(request("192.0.2.12"), scope="second_factor", identifier="agent@example.test")
        == 0
    )


def test_normalised_identifier():
    assert throttle.normalise_identifier(" Victim@Example.TEST\t") == "victim@example.test"
    assert throttle.normalise_identifier("vi\u200bctim@ｅxample.test") == "victim@example.test"
    assert throttle.delay_after(1, free=3, base=2, ceiling=60) == 0
    assert [throttle.delay_after(n, free=3, base=2, ceiling=60) for n in (3, 4, 5, 9)] == [2, 4, 8, 60]
