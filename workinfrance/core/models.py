"""The audit trail shared by every app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Events are append-only.")

    def delete(self):
        raise TypeError("Events are append-only.")


class Event(models.Model):
    """Append-only record of who did what to which object, and when.

    The target is stored as (type, id) strings rather than a generic foreign key so an
    event outlives its target and can be indexed cheaply per object.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("type de cible"), max_length=64)
    target_id = models.CharField(_("identifiant de cible"), max_length=64)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    data = models.JSONField(_("données"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"], name="event_target_idx"),
            models.Index(fields=["verb", "created_at"], name="event_verb_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Events are append-only.")
