from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .providers import SPECS


class OidcIdentity(models.Model):
    """An account's identity at FranceConnect or ProConnect (its `sub`), with the claims last received.

    A row not yet `confirmed` is a link waiting for the account's password or an e-mail confirmation:
    it never signs anyone in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    provider = models.CharField(
        _("fournisseur"), max_length=20, choices=[(name, spec.label) for name, spec in SPECS.items()]
    )
    sub = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    claims = models.JSONField(_("données transmises"), default=dict, blank=True)
    confirmed = models.BooleanField(_("rattachement confirmé"), default=False)
    # Wrong passwords typed to confirm a pending link; the link is dropped after a few.
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identité FranceConnect ou ProConnect")
        verbose_name_plural = _("identités FranceConnect et ProConnect")
        constraints = [
            models.UniqueConstraint(fields=["provider", "sub"], name="oidc_identity_provider_sub_unique"),
            models.UniqueConstraint(fields=["user", "provider"], name="oidc_identity_user_provider_unique"),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} — {self.user}"
