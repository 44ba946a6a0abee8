from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Demandeur")
    AGENT = "agent", _("Instructeur")
    SUPERVISOR = "supervisor", _("Responsable d'unité")
    ADMINISTRATOR = "administrator", _("Administrateur")


STAFF_ROLES = {Role.AGENT, Role.SUPERVISOR}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("role", Role.APPLICANT)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, email_confirmed=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One account per e-mail address. Staff (agents, supervisors) belong to units."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    units = models.ManyToManyField(
        "territories.Unit", verbose_name=_("unités"), blank=True, related_name="members"
    )
    email_confirmed = models.BooleanField(_("e-mail confirmé"), default=False)
    preferred_language = models.CharField(_("langue"), max_length=8, default="fr")
    is_active = models.BooleanField(_("actif"), default=True)
    # Access to the Django admin (administrators only).
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_agent(self) -> bool:
        """Agents and supervisors both review dossiers."""
        return self.role in STAFF_ROLES

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        """The units this staff member belongs to; read once per user object (one request).

        Use `accounts.selectors.user_unit_ids`, which also answers for anonymous users."""
        return frozenset(self.units.values_list("pk", flat=True))


class RecoveryCode(models.Model):
    """One of the single-use codes given at enrolment, for a staff member who lost their factor.

    Only a digest is kept: the codes are shown once and are worth a second factor."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")
