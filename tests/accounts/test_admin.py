from django.urls import reverse

from workinfrance.accounts.models import Role, User

from tests.factories import UserFactory


def test_administrator_creates_an_agent_in_the_admin(client, paris):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.agent@example.test",
            "role": Role.AGENT,
            "password1": "x-long-secret-1",
            "password2": "x-long-secret-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = User.objects.get(email="new.agent@example.test")
    assert agent.role == Role.AGENT
    assert client.get(reverse("admin:accounts_user_change", args=[agent.pk])).status_code == 200
    for name in ["territories_department", "territories_unit", "procedures_category", "core_event"]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
