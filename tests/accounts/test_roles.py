import pytest

from workinfrance.accounts.models import Role, User

from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("role", "applicant", "agent", "supervisor", "administrator"),
    [
        (Role.APPLICANT, True, False, False, False),
        (Role.AGENT, False, True, False, False),
        (Role.SUPERVISOR, False, True, True, False),
        (Role.ADMINISTRATOR, False, False, False, True),
    ],
)
def test_role_properties(db, role, applicant, agent, supervisor, administrator):
    user = UserFactory(role=role)
    assert (user.is_applicant, user.is_agent, user.is_supervisor, user.is_administrator) == (
        applicant,
        agent,
        supervisor,
        administrator,
    )


def test_email_is_the_login_and_is_case_insensitive(db):
    user = User.objects.create_user(email="Someone@Example.TEST", password="x-long-password")
    assert user.email == "someone@example.test"
    assert User.objects.get_by_natural_key("SOMEONE@example.test") == user


def test_superuser_is_an_administrator(db):
    admin = User.objects.create_superuser(email="root@example.test", password="x-long-password")
    assert admin.is_administrator and admin.is_staff and admin.is_superuser


def test_staff_belong_to_units(paris, lyon):
    agent = UserFactory(role=Role.AGENT, units=[paris, lyon])
    assert set(agent.units.all()) == {paris, lyon}
    assert set(paris.members.all()) == {agent}


def test_invalid_role_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role="king")
