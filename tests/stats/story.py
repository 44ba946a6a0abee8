"""Building dossier histories at chosen moments, for known-answer statistics tests."""

import datetime
import zoneinfo
from contextlib import contextmanager
from unittest import mock

from workinfrance.core.events import event_record
from workinfrance.dossiers import services
from workinfrance.procedures.models import Category

from tests.factories import DossierFactory, complete_draft, open_department

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TARGETS = {
    "submit": "submitted",
    "take": "in_review",
    "request_complements": "awaiting_complements",
    "resubmit": "submitted",
    "accept": "accepted",
    "refuse": "refused",
    "close": "closed",
    "reopen": "in_review",
}


def paris_time(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@contextmanager
def clock(moment: datetime.datetime):
    """Everything that asks Django for the time (services, auto_now_add) gets `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def dossier_with_events(*, unit, department: str, category: str, steps):
    """A dossier whose history is written as events: steps are (moment, transition) pairs."""
    dossier = DossierFactory(
        unit=unit, department=open_department(department), category=Category.objects.get(code=category)
    )
    state = "draft"
    for moment, transition in steps:
        target = TARGETS[transition]
        with clock(moment):
            event_record(
                actor=None, verb=f"dossier.{transition}", target=dossier, data={"from": state, "to": target}
            )
        state = target
    return dossier


def decided_after(start: datetime.datetime, days: int, outcome: str = "accept"):
    """Submit, take at once, decide `days` later (same instant: the event written first comes first)."""
    return [(start, "submit"), (start, "take"), (start + datetime.timedelta(days=days), outcome)]


class ServiceStory:
    """Drives the real dossier services at chosen moments."""

    def __init__(self, *, applicant, agent, supervisor):
        self.applicant, self.agent, self.supervisor = applicant, agent, supervisor

    def new(self, **kwargs):
        return complete_draft(applicant=self.applicant, **kwargs)

    def do(self, dossier, moment: datetime.datetime, transition: str):
        with clock(moment):
            if transition == "submit":
                services.dossier_submit(dossier=dossier, actor=self.applicant)
            elif transition == "resubmit":
                services.dossier_resubmit(dossier=dossier, actor=self.applicant)
            elif transition == "take":
                services.dossier_take(dossier=dossier, actor=self.agent)
            elif transition == "request_complements":
                services.dossier_request_complements(
                    dossier=dossier, actor=self.agent, document_types=[], message="Pièce illisible."
                )
            elif transition == "accept":
                terms = services.permit_terms_proposed(dossier)
                services.dossier_accept(dossier=dossier, actor=self.agent, terms=terms)
            elif transition == "refuse":
                services.dossier_refuse(dossier=dossier, actor=self.agent, reason="hours", comment="")
            elif transition == "close":
                services.dossier_close(dossier=dossier, actor=self.agent, comment="Désistement.")
            elif transition == "reopen":
                services.dossier_reopen(dossier=dossier, actor=self.supervisor, reason="Erreur matérielle.")
        return dossier
