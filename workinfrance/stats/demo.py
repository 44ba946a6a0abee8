"""Demo history for `make run`: ~200 files decided over the last 12 months in the demo units, so
the statistics pages have something to show. Each step goes through the lifecycle's transition
function (`dossier_transition_seed`: table, row lock, audit event, transition log) at its own date,
without e-mails and without permit records: a permit means a signed PDF each, far too slow for a
demo history that only feeds the statistics. Idempotent: it runs once.
"""

import datetime
import random
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from workinfrance.accounts.models import Role, User
from workinfrance.dossiers.lifecycle import DECIDED_STATES, TRANSITIONS, Transition
from workinfrance.dossiers.models import Dossier, FilerKind, RefusalReason, ResidencePermitType
from workinfrance.dossiers.numbering import next_dossier_number
from workinfrance.dossiers.services import dossier_transition_seed
from workinfrance.procedures.models import Category, ContractType

from .services import stats_rebuild

HISTORY_APPLICANT = "historique.statistiques@workinfrance.test"
DOSSIERS = 200
CATEGORY_WEIGHTS = {
    "algerian_student": 45,
    "apprenticeship": 30,
    "professionalisation": 15,
    "medical_intern": 10,
}
CONTRACTS = {
    "algerian_student": ContractType.FIXED_TERM,
    "apprenticeship": ContractType.APPRENTICESHIP,
    "professionalisation": ContractType.PROFESSIONALISATION,
    "medical_intern": ContractType.HOSPITAL,
}
FIRST_NAMES = ["Amina", "Yacine", "Linh", "Mei", "Arjun", "Fatou", "Karim", "Sofia", "Omar", "Ines"]
LAST_NAMES = ["Haddad", "Nguyen", "Chen", "Sharma", "Diallo", "Benali", "Rossi", "Kaci", "Tran", "Mansour"]
NATIONALITIES = [
    "algérienne",
    "vietnamienne",
    "chinoise",
    "indienne",
    "sénégalaise",
    "marocaine",
    "tunisienne",
]


@contextmanager
def _at(moment: datetime.datetime):
    """Dates the rows and events written inside as of `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _steps(
    rng: random.Random, start: datetime.datetime, age_months: int
) -> list[tuple[datetime.datetime, str]]:
    """A plausible history; files got faster over the year (the service's own story)."""
    hours = datetime.timedelta(hours=1)
    slowness = 1 + age_months / 3
    moment = start + rng.randint(2, 30) * hours
    steps = [(start, "submit"), (moment, "take")]
    if rng.random() < 0.2:
        moment += rng.randint(4, 48) * hours
        steps.append((moment, "request_complements"))
        moment += rng.randint(24, 24 * 10) * hours
        steps.append((moment, "resubmit"))  # back in review with its agent
    moment += datetime.timedelta(hours=rng.expovariate(1 / (30 * slowness)) + 2)
    draw = rng.random()
    outcome = "accept" if draw < 0.8 else "refuse" if draw < 0.94 else "close"
    if outcome == "refuse" and rng.random() < 0.15:
        steps += [(moment, "refuse"), (moment + 26 * hours, "reopen")]
        moment += 50 * hours
        outcome = "accept"
    return steps + [(moment, outcome)]


def _dossier(rng, *, applicant, unit, department, category, start) -> Dossier:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    contract_start = timezone.localdate(start) + datetime.timedelta(days=rng.randint(7, 30))
    with _at(start - datetime.timedelta(hours=2)):
        return Dossier.objects.create(
            category=category,
            applicant=applicant,
            filer_kind=FilerKind.STUDENT,
            unit=unit,
            department_id=department,
            student_first_name=first,
            student_last_name=last,
            student_birth_date=datetime.date(
                2000 + rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28)
            ),
            student_birth_place="Alger",
            student_nationality=rng.choice(NATIONALITIES),
            student_email=f"{first.lower()}.{last.lower()}@example.test",
            student_address="12 rue des Écoles",
            student_postcode=f"{department}000"[:5],
            student_city="—",
            residence_permit_type=ResidencePermitType.STUDENT_CARD,
            residence_permit_number=f"{rng.randint(10**9, 10**10 - 1)}",
            residence_permit_start=contract_start - datetime.timedelta(days=200),
            residence_permit_end=contract_start + datetime.timedelta(days=400),
            residence_permit_prefecture="Préfecture",
            institution_name="Université",
            enrolment_programme="Master",
            enrolment_year=f"{start.year}-{start.year + 1}",
            employer_name="Entreprise de démonstration SAS",
            employer_siret="73282932000074",
            employer_address="1 rue de la Paix",
            employer_postcode=f"{department}000"[:5],
            employer_city="—",
            employer_representative="Jean Dupont",
            employer_contact_email="rh@example.test",
            job_title="Employé polyvalent",
            work_address="1 rue de la Paix",
            contract_type=CONTRACTS[category.code],
            contract_start=contract_start,
            contract_end=contract_start + datetime.timedelta(days=300),
            weekly_hours=Decimal("17.5") if category.code == "algerian_student" else Decimal("35.0"),
            gross_monthly_salary=Decimal("1200.00"),
        )


def _change(transition: Transition, moment: datetime.datetime, agent: User):
    """What the real service would change on the dossier, minus permits and e-mails."""

    def change(dossier: Dossier) -> dict:
        data = {}
        if transition == Transition.SUBMIT:
            dossier.number = next_dossier_number(
                year=timezone.localdate(moment).year, department_code=dossier.department_id
            )
            dossier.first_submitted_at = moment
            data = {"number": dossier.number, "unit": dossier.unit_id}
        if transition in (Transition.SUBMIT, Transition.RESUBMIT):
            dossier.submitted_at = moment
        if transition == Transition.TAKE:
            dossier.assignee = agent
        if TRANSITIONS[transition].targets <= DECIDED_STATES:
            dossier.decided_at = moment
        if transition == Transition.REFUSE:
            dossier.refusal_reason = RefusalReason.HOURS
        if transition == Transition.REOPEN:
            dossier.decided_at, dossier.refusal_reason = None, ""
        return data

    return change


def _play(dossier: Dossier, steps, *, agent, supervisor) -> None:
    """Each step through the lifecycle's one transition function, dated `moment`."""
    actors = {Transition.SUBMIT: dossier.applicant, Transition.RESUBMIT: dossier.applicant}
    actors[Transition.REOPEN] = supervisor
    for moment, step in steps:
        transition = Transition(step)
        with _at(moment):
            dossier_transition_seed(
                dossier=dossier,
                actor=actors.get(transition, agent),
                transition=transition,
                change=_change(transition, moment, agent),
            )


@transaction.atomic
def seed(units) -> None:
    applicant, created = User.objects.get_or_create(
        email=HISTORY_APPLICANT,
        defaults={"role": Role.APPLICANT, "first_name": "Historique", "last_name": "Démonstration"},
    )
    if not created and applicant.dossiers.exists():
        return
    applicant.set_unusable_password()
    applicant.save()
    rng = random.Random(2026)
    now = timezone.now()
    categories = {c.code: c for c in Category.objects.filter(code__in=CATEGORY_WEIGHTS)}
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    staff = {}
    for key, unit in units.items():
        members = User.objects.filter(units=unit, is_active=True)
        agent = members.filter(role=Role.AGENT).first()
        supervisor = members.filter(role=Role.SUPERVISOR).first()
        if agent and supervisor:
            staff[key] = (unit, list(unit.departments.values_list("code", flat=True)), agent, supervisor)
    if not staff or not codes:
        return
    for _ in range(DOSSIERS):
        unit, departments, agent, supervisor = staff[rng.choice(sorted(staff))]
        age_days = rng.randint(8, 364)
        start = now - datetime.timedelta(days=age_days, hours=rng.randint(0, 10))
        steps = _steps(rng, start, age_months=age_days // 30)
        if steps[-1][0] > now - datetime.timedelta(hours=1):
            continue
        category = categories[rng.choices(codes, weights=[CATEGORY_WEIGHTS[c] for c in codes])[0]]
        dossier = _dossier(
            rng,
            applicant=applicant,
            unit=unit,
            department=rng.choice(departments),
            category=category,
            start=start,
        )
        _play(dossier, steps, agent=agent, supervisor=supervisor)
    transaction.on_commit(stats_rebuild)
