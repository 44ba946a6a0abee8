"""Helpers of the permits tests: seals without the database, and accepted dossiers."""

import dataclasses
import datetime
import re
import time
import uuid
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from workinfrance.dossiers import services as dossier_services
from workinfrance.permits import seal


def claims(**overrides) -> seal.PermitClaims:
    values = {
        "issuer": "FR-WIF",
        "issued_at": int(time.time()),
        "expires_at": int(time.time()) + 300 * 86400,
        "permit_id": uuid.uuid4(),
        "number": "APT-2026-75-7K3M9QXA",
        "last_name": "Haddad",
        "first_name": "Amina",
        "birth_date": datetime.date(2002, 3, 14),
        "employer_name": "Boulangerie du Panthéon SARL",
        "employer_siret": "73282932000074",
        "category": "apprenticeship",
        "weekly_hours": Decimal("35.0"),
        "valid_from": datetime.date(2026, 12, 1),
        "valid_until": datetime.date(2027, 11, 30),
    }
    return seal.PermitClaims(**{**values, **overrides})


def verification_key(key: seal.SigningKey) -> seal.VerificationKey:
    return seal.VerificationKey(kid=key.kid, public_key=key.private_key.public_key())


def in_force_today(dossier) -> dossier_services.PermitTerms:
    """The proposed terms, starting today: a permit whose verdict is "valid" now (one starting with
    the contract, ten days ahead in the factory, is "not yet in force")."""
    today = timezone.localdate()
    proposed = dossier_services.permit_terms_proposed(dossier)
    longest = today + relativedelta(months=dossier.category.max_validity_months, days=-1)
    return dataclasses.replace(
        proposed, validity_start=today, validity_end=min(proposed.validity_end, longest)
    )


def accept(dossier, *, agent, capture, terms=None, filed_at=None):
    """Submit, take and accept `dossier` (terms in force from today unless given), running the
    after-commit work (the PDF) like a worker.

    `filed_at` back-dates the filing, for terms that start in the past (never before filing)."""
    with capture(execute=True):
        dossier_services.dossier_submit(dossier=dossier, actor=dossier.applicant)
    if filed_at is not None:
        type(dossier).objects.filter(pk=dossier.pk).update(first_submitted_at=filed_at)
        dossier.refresh_from_db()
    dossier_services.dossier_take(dossier=dossier, actor=agent)
    with capture(execute=True):
        dossier_services.dossier_accept(dossier=dossier, actor=agent, terms=terms or in_force_today(dossier))
    return dossier.permits.get()


def verdict_in(response) -> str:
    """The verdict a verification page shows (read from the page: it may come from the cache)."""
    assert response.status_code == 200
    found = re.search(r'data-verdict="(\w+)"', response.content.decode())
    assert found, "no verdict on the page"
    return found.group(1)


def permit_with_validity(applicant, agent, *, start_in_days: int = 0, end_in_days: int = 200):
    """An accepted dossier's permit valid from today + start_in_days to today + end_in_days (20 h a
    week). A permit never starts before its filing, so one starting in the past is filed earlier.
    After-commit work (the PDF) is left to the caller."""
    from tests.factories import complete_draft

    dossier = complete_draft(applicant=applicant)
    dossier_services.dossier_submit(dossier=dossier, actor=applicant)
    if start_in_days < 0:
        filed_at = timezone.now() + datetime.timedelta(days=start_in_days - 1)
        type(dossier).objects.filter(pk=dossier.pk).update(first_submitted_at=filed_at)
        dossier.refresh_from_db()
    dossier_services.dossier_take(dossier=dossier, actor=agent)
    today = timezone.localdate()
    terms = dossier_services.PermitTerms(
        validity_start=today + datetime.timedelta(days=start_in_days),
        validity_end=today + datetime.timedelta(days=end_in_days),
        weekly_hours=Decimal("20.0"),
    )
    dossier_services.dossier_accept(dossier=dossier, actor=agent, terms=terms)
    return dossier.permits.get()
