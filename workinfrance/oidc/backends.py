"""Authentication backends: the password one refuses staff whose unit requires ProConnect."""

from django.contrib.auth.backends import ModelBackend


def staff_requires_proconnect(user) -> bool:
    """The one rule: an agent or supervisor of a unit set to "ProConnect required" never uses a password."""
    return bool(user.is_agent and user.units.filter(require_proconnect=True).exists())


class PasswordBackend(ModelBackend):
    """E-mail and password (site and admin login forms).

    Also checked on every request of a password session (`get_user`), so a session opened before the
    unit switched to ProConnect ends at once."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not staff_requires_proconnect(user)


class OidcBackend(ModelBackend):
    """Sessions opened by FranceConnect or ProConnect (`workinfrance.oidc.views`); never checks a password."""

    def authenticate(self, request, **credentials):
        return None
