import re

import pytest
from django.urls import reverse

from workinfrance.accounts.models import Role, User
from workinfrance.core.models import Event

from tests.factories import UserFactory

SIGNUP = {
    "first_name": "Amina",
    "last_name": "Haddad",
    "email": "Amina.Haddad@Example.test",
    "password1": "un-mot-de-passe-solide",
    "password2": "un-mot-de-passe-solide",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://\S+/comptes/confirmer/\S+/", message.body).group(0)


def test_signup_sends_a_confirmation_email_and_blocks_login_until_confirmed(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 200
    assert "amina.haddad@example.test" in response.content.decode()
    user = User.objects.get(email="amina.haddad@example.test")
    assert user.role == Role.APPLICANT and not user.email_confirmed
    assert Event.objects.filter(verb="account.signed_up", target_id=str(user.pk)).exists()

    assert len(mailoutbox) == 1
    assert "n'a aucune valeur juridique" in mailoutbox[0].body

    login = client.post(reverse("accounts:login"), {"username": user.email, "password": SIGNUP["password1"]})
    assert login.status_code == 200
    assert "pas encore confirmée" in login.content.decode()

    link = confirmation_link(mailoutbox[0])
    confirmed = client.get(link.split("127.0.0.1:8000", 1)[1], follow=True)
    assert "Votre adresse e-mail est confirmée" in confirmed.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed

    login = client.post(reverse("accounts:login"), {"username": user.email, "password": SIGNUP["password1"]})
    assert login.status_code == 302
    assert login.url == reverse("accounts:after_login")


def test_confirmation_link_works_once_and_rejects_tampering(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:signup"), SIGNUP)
    path = confirmation_link(mailoutbox[0]).split("127.0.0.1:8000", 1)[1]
    tampered = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    assert client.get(tampered).status_code == 400
    assert client.get(path).status_code == 302
    # A second use of a spent link still confirms nothing new and does not error.
    assert client.get(path).status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password2", "autre-chose-encore", "ne correspondent pas"),
        ("password1", "123456789012", "entièrement numérique"),
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide"),
    ],
)
def test_signup_errors_are_explained_and_keep_the_input(client, db, field, value, message):
    data = {**SIGNUP, field: value}
    if field == "password1":
        data["password2"] = value
    response = client.post(reverse("accounts:signup"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert 'value="Amina"' in content
    assert not User.objects.exists()


def test_signup_with_existing_email_creates_nothing(client, db):
    UserFactory(email="amina.haddad@example.test")
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 200 and "Un compte existe déjà" not in response.content.decode()
    assert User.objects.count() == 1


def test_signup_errors_in_english(client, db):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "password2": "different-one-here"})
    assert "The two passwords do not match." in response.content.decode()


def test_login_is_throttled_after_repeated_failures(client, settings, db):
    settings.WIF_THROTTLE_RULES = {"login": {"identifier_free": 3}}
    user = UserFactory(email="target@example.test")
    for _ in range(3):
        response = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.APPLICANT, "applicant:dashboard"),
        (Role.AGENT, "backoffice:inbox"),
        (Role.SUPERVISOR, "backoffice:inbox"),
        (Role.ADMINISTRATOR, "admin:index"),
    ],
)
def test_each_role_lands_on_its_own_home(client, db, role, target):
    user = UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR)
    client.force_login(user)
    response = client.get(reverse("accounts:after_login"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_password_reset_sends_a_working_link(client, db, mailoutbox):
    user = UserFactory(email="reset@example.test")
    client.post(reverse("accounts:password_reset"), {"email": "reset@example.test"})
    assert len(mailoutbox) == 1
    path = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "encore-un-nouveau-secret", "new_password2": "encore-un-nouveau-secret"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("encore-un-nouveau-secret")


def test_password_reset_does_not_reveal_unknown_addresses(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"}, follow=True)
    assert response.status_code == 200
    assert mailoutbox == []
