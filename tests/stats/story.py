"""Building dossier histories at chosen moments, for known-answer statistics tests."""

import datetime
import zoneinfo

from workinfrance.dossiers import services
from workinfrance.procedures.models import Category

from tests.dossiers.helpers import clock, play
from tests.factories import DossierFactory, complete_draft, open_department

__all__ = ["clock", "decided_after", "dossier_with_events", "paris_time", "play", "ServiceStory"]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris_time(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def dossier_with_events(*, unit, department: str, category: str, steps):
    """A dossier whose history is played through the lifecycle (`lifecycle.TRANSITIONS`, via
    `dossier_transition_seed`): steps are (moment, transition) pairs."""
    dossier = DossierFactory(
        unit=unit, department=open_department(department), category=Category.objects.get(code=category)
    )
    return play(dossier, steps, unit=unit)


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
