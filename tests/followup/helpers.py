"""A constructed history: dossiers filed and decided through the services at given moments (Paris
time), with time frozen by time-machine, so every event, fact and date is the one written here."""

import dataclasses
import datetime
from zoneinfo import ZoneInfo

import time_machine
from dateutil.relativedelta import relativedelta

from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State

from tests.backoffice.conftest import filed

PARIS_TZ = ZoneInfo("Europe/Paris")


def at(moment: str):
    """`with at("2026-11-18 09:00"):` freezes the clock at that Paris time."""
    return time_machine.travel(datetime.datetime.fromisoformat(moment).replace(tzinfo=PARIS_TZ), tick=False)


def filed_at(moment: str, **fields):
    with at(moment):
        return filed(**fields)


def _taken(dossier, agent):
    dossier.refresh_from_db()
    if dossier.state == State.SUBMITTED:
        services.dossier_take(dossier=dossier, actor=agent)
        dossier.refresh_from_db()
    return dossier


def accepted_at(moment: str, dossier, *, agent, validity_months: int | None = None):
    """Accepted with the proposed terms, or a validity of `validity_months` from the proposed start."""
    with at(moment):
        dossier = _taken(dossier, agent)
        terms = services.permit_terms_proposed(dossier)
        if validity_months is not None:
            end = terms.validity_start + relativedelta(months=validity_months) - relativedelta(days=1)
            terms = dataclasses.replace(terms, validity_end=end)
        services.dossier_accept(dossier=dossier, actor=agent, terms=terms)
        dossier.refresh_from_db()
        return dossier


def refused_at(moment: str, dossier, *, agent):
    with at(moment):
        dossier = _taken(dossier, agent)
        services.dossier_refuse(dossier=dossier, actor=agent, reason="hours", comment="")
        dossier.refresh_from_db()
        return dossier
