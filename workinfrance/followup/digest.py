"""The agents' daily digest: each unit's alerts (`alerts.alerted_dossiers`), one e-mail per agent or
supervisor in their language, through the outbox. Nothing is sent to someone whose units have none."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from workinfrance.accounts.models import STAFF_ROLES, User
from workinfrance.core.links import absolute_url
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.outbox.services import outbox_email

from .alerts import ALERTS, alerted_dossiers

# Dossiers listed one by one per unit; the counts cover all of them.
LISTED_PER_UNIT = 30


@dataclass
class UnitAlerts:
    unit: object
    counts: list[tuple[str, int]]  # (label, number of dossiers), in the order of ALERTS
    listed: list[Dossier]
    more: int


def unit_alerts(*, unit, today: datetime.date) -> UnitAlerts:
    """Labels in the active language: call it under `translation.override`."""
    flagged = alerted_dossiers(Dossier.objects.filter(unit=unit).exclude(state=State.DRAFT), today=today)
    counted = Counter(alert.code for dossier in flagged for alert in dossier.alerts)
    placeholder = "00000000-0000-0000-0000-000000000000"
    screen_url = reverse("backoffice:dossier", kwargs={"uuid": placeholder})
    for dossier in flagged[:LISTED_PER_UNIT]:
        dossier.link = absolute_url(screen_url.replace(placeholder, str(dossier.uuid)))
    return UnitAlerts(
        unit=unit,
        counts=[(str(label), counted[code]) for code, label in ALERTS.items() if counted[code]],
        listed=flagged[:LISTED_PER_UNIT],
        more=max(len(flagged) - LISTED_PER_UNIT, 0),
    )


def digest_render(*, agent, sections: list[UnitAlerts], today: datetime.date) -> tuple[str, str]:
    context = {
        "agent": agent,
        "sections": sections,
        "today": today,
        "inbox": absolute_url(reverse("backoffice:inbox")),
    }
    subject = render_to_string("followup/email/digest_subject.txt", context).strip()
    return subject, render_to_string("followup/email/digest.txt", context).strip()


def alert_digests_send(*, today: datetime.date) -> int:
    """One e-mail per active agent or supervisor whose units have alerts; returns how many agents have
    one today. Run twice the same day, it queues nothing new (the outbox key holds the day)."""
    staff = (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True, units__isnull=False)
        .distinct()
        .prefetch_related("units")
        .order_by("pk")
    )
    computed: dict[tuple[int, str], UnitAlerts] = {}
    queued = 0
    for agent in staff:
        language = agent.preferred_language if agent.preferred_language in ("fr", "en") else "fr"
        with translation.override(language):
            sections = []
            for unit in sorted(agent.units.all(), key=lambda u: u.name):
                key = (unit.pk, language)
                if key not in computed:
                    computed[key] = unit_alerts(unit=unit, today=today)
                if computed[key].counts:
                    sections.append(computed[key])
            if not sections:
                continue
            subject, body = digest_render(agent=agent, sections=sections, today=today)
        with transaction.atomic():
            outbox_email(
                to=agent.email,
                subject=subject,
                body=body,
                idempotency_key=f"alerts-digest:{today}:{agent.pk}",
            )
        queued += 1
    return queued
