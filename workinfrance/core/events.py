"""One way to write the audit trail."""

from django.db import models

from .models import Event


def target_type_of(target: models.Model) -> str:
    return target._meta.label_lower


def event_record(*, actor, verb: str, target: models.Model, data: dict | None = None) -> Event:
    """Append an event. `actor` may be None for the system (scheduled tasks, migrations)."""
    return Event.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        verb=verb,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        data=data or {},
    )


def events_for(target: models.Model):
    return Event.objects.filter(target_type=target_type_of(target), target_id=str(target.pk)).select_related(
        "actor"
    )
