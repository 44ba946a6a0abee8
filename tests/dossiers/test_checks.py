"""Each completeness and consistency rule of checks.py, on an otherwise complete dossier."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from workinfrance.dossiers.checks import dossier_problems, required_document_types
from workinfrance.dossiers.models import FilerKind, ResidencePermitType
from workinfrance.procedures.models import ContractType
from workinfrance.territories.models import Department

from tests.factories import category, complete_draft


def codes(dossier):
    return {problem.code: problem.step for problem in dossier_problems(dossier)}


def test_complete_dossier_has_no_problem(applicant):
    assert dossier_problems(complete_draft(applicant=applicant)) == []


@pytest.mark.parametrize(
    ("changes", "code", "step"),
    [
        ({"employer_siret": "73282932000075"}, "siret", "employer"),
        ({"employer_siret": "1234"}, "siret", "employer"),
        (
            {
                "contract_start": timezone.localdate() + datetime.timedelta(days=30),
                "contract_end": timezone.localdate() + datetime.timedelta(days=20),
            },
            "contract_dates",
            "job",
        ),
        ({"contract_end": None}, "missing:contract_end", "job"),
        ({"contract_type": ContractType.FIXED_TERM}, "contract_type", "job"),
        (
            {
                "residence_permit_start": timezone.localdate() + datetime.timedelta(days=100),
                "residence_permit_end": timezone.localdate() + datetime.timedelta(days=50),
            },
            "residence_dates",
            "residence",
        ),
        (
            {"residence_permit_end": timezone.localdate() + datetime.timedelta(days=5)},
            "residence_expires_before_start",
            "residence",
        ),
        (
            {"residence_permit_end": timezone.localdate() - datetime.timedelta(days=1)},
            "residence_expired",
            "residence",
        ),
        ({"student_birth_date": timezone.localdate() + datetime.timedelta(days=1)}, "birth_date", "student"),
        ({"weekly_hours": Decimal("0")}, "weekly_hours", "job"),
        ({"weekly_hours": Decimal("49")}, "weekly_hours_max", "job"),
        ({"gross_monthly_salary": Decimal("0")}, "salary", "job"),
        ({"student_last_name": ""}, "missing:student_last_name", "student"),
        ({"department": None}, "missing:department", "residence"),
        ({"employer_name": ""}, "missing:employer_name", "employer"),
        ({"contract_start": None}, "missing:contract_start", "job"),
    ],
)
def test_each_rule(applicant, changes, code, step):
    dossier = complete_draft(applicant=applicant)
    for name, value in changes.items():
        setattr(dossier, name, value)
    assert codes(dossier).get(code) == step


def test_weekly_hours_above_category_limit(applicant):
    dossier = complete_draft(
        applicant=applicant,
        category=category("algerian_student"),
        contract_type=ContractType.FIXED_TERM,
        weekly_hours=Decimal("17.5"),
    )
    assert dossier_problems(dossier) == []
    dossier.weekly_hours = Decimal("20")
    problems = {p.code: p for p in dossier_problems(dossier)}
    assert "17" in problems["weekly_hours_limit"].message
    assert problems["weekly_hours_limit"].step == "job"


def test_permanent_contract_needs_no_end(applicant):
    dossier = complete_draft(
        applicant=applicant,
        category=category("algerian_student"),
        contract_type=ContractType.PERMANENT,
        contract_end=None,
        weekly_hours=Decimal("17.5"),
    )
    assert dossier_problems(dossier) == []


def test_expired_card_under_renewal_is_accepted_with_its_receipt(applicant):
    dossier = complete_draft(applicant=applicant)
    dossier.residence_permit_type = ResidencePermitType.RENEWAL_RECEIPT
    dossier.residence_permit_end = timezone.localdate() + datetime.timedelta(days=400)
    assert set(codes(dossier)) == {"document:residence_renewal"}


def test_closed_department(applicant):
    dossier = complete_draft(applicant=applicant)
    dossier.department = Department.objects.get(code="13")
    assert codes(dossier)["department_closed"] == "residence"


@pytest.mark.parametrize(
    ("changes", "document_code"),
    [
        ({}, "passport"),
        ({"filer_kind": FilerKind.EMPLOYER}, None),
        ({"previous_permit_number": "APT-2025-75-ABCDEFGH"}, "previous_permit"),
        ({"regulated_profession": True}, "right_to_practise"),
    ],
)
def test_required_documents_follow_the_situation(applicant, changes, document_code):
    dossier = complete_draft(applicant=applicant)
    for name, value in changes.items():
        setattr(dossier, name, value)
    if document_code == "passport":
        dossier.documents.filter(document_type__code="passport").delete()
    required = {t.code for t in required_document_types(dossier)}
    assert ("mandate" in required) == (dossier.filer_kind != FilerKind.EMPLOYER)
    if document_code:
        assert f"document:{document_code}" in codes(dossier)


def test_superseded_document_does_not_count(applicant):
    dossier = complete_draft(applicant=applicant)
    dossier.documents.filter(document_type__code="passport").update(superseded_at=timezone.now())
    assert "document:passport" in codes(dossier)
