"""Authentication backends: the password one refuses staff whose unit requires ProConnect."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from workinfrance.territories.models import Unit


def staff_requires_proconnect(user) -> bool:
    """The one rule: an agent or supervisor of a unit set to "ProConnect required" never uses a password."""
    if not user.is_agent:
        return False
    annotated = getattr(user, "requires_proconnect", None)
    if annotated is not None:
        return annotated
    return user.units.filter(require_proconnect=True).exists()


class PasswordBackend(ModelBackend):
    """E-mail and password (site and admin login forms).

    Also checked on every request of a password session (`get_user`), so a session opened before the
    unit switched to ProConnect ends at once; the rule rides on the user's own query."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not staff_requires_proconnect(user)

    def get_user(self, user_id):
        units = Unit.objects.filter(members=OuterRef("pk"), require_proconnect=True)
        user = (
            get_user_model()
            ._default_manager.annotate(requires_proconnect=Exists(units))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class OidcBackend(ModelBackend):
    """Sessions opened by FranceConnect or ProConnect (`workinfrance.oidc.views`); never checks a password."""

    def authenticate(self, request, **credentials):
        return None
