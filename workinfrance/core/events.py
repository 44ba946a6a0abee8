"""One way to write the audit trail."""

import unicodedata

from django.db import models

from .models import Event
from .verbs import Verb, verb_checked

MAX_TEXT = 500  # the audit trail keeps facts, not whatever a request carried


def _clean(value):
    """Text without control characters (PostgreSQL's JSON refuses a NUL), bounded; recursively."""
    if isinstance(value, str):
        return "".join(ch for ch in value if unicodedata.category(ch) != "Cc")[:MAX_TEXT]
    if isinstance(value, dict):
        return {_clean(str(key)): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def target_type_of(target: models.Model) -> str:
    return target._meta.label_lower


def event_record(*, actor, verb: Verb | str, target: models.Model, data: dict | None = None) -> Event:
    """Append an event. `actor` may be None for the system (scheduled tasks, migrations).

    `verb` must be one of `Verb` (`UnknownVerb` otherwise)."""
    return Event.objects.create(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        verb=verb_checked(verb).value,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        data=_clean(data or {}),
    )


def events_for(target: models.Model):
    return Event.objects.filter(target_type=target_type_of(target), target_id=str(target.pk)).select_related(
        "actor"
    )
