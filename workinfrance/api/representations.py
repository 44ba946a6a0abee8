"""Models to the API's plain data (the shapes of `schemas.py`)."""

from workinfrance.dossiers.fields import APPLICANT_FIELDS
from workinfrance.dossiers.models import Document, Dossier
from workinfrance.permits.models import Permit
from workinfrance.permits.services import permit_qr_text

# The columns a summary reads: listings load only these (a dossier row has about a hundred).
SUMMARY_COLUMNS = (
    "number",
    "state",
    "category__code",
    "department",
    "submitted_at",
    "decided_at",
    "student_first_name",
    "student_last_name",
    "employer_name",
    "employer_siret",
    "job_title",
    "assignee",
)


def dossier_summary(dossier: Dossier, *, unit_view: bool) -> dict:
    data = {
        "number": dossier.number,
        "state": dossier.state,
        "category": dossier.category.code,
        "department": dossier.department_id,
        "filed_at": dossier.submitted_at,
        "decided_at": dossier.decided_at,
        "student_first_name": dossier.student_first_name,
        "student_last_name": dossier.student_last_name,
        "employer_name": dossier.employer_name,
        "employer_siret": dossier.employer_siret,
        "job_title": dossier.job_title,
    }
    if unit_view:
        data["assignee_id"] = dossier.assignee_id
    return data


def _field_value(dossier: Dossier, name: str):
    if name == "category":
        return dossier.category.code
    if name == "department":
        return dossier.department_id
    value = getattr(dossier, name)
    return str(value) if hasattr(value, "as_tuple") else value  # Decimal: exact, as text


def dossier_detail(dossier: Dossier, permits: list[Permit]) -> dict:
    return {
        **dossier_summary(dossier, unit_view=True),
        "data": {name: _field_value(dossier, name) for name in APPLICANT_FIELDS},
        "unit": dossier.unit.name if dossier.unit_id else None,
        "submitted_at": dossier.submitted_at,
        "refusal_reason": dossier.refusal_reason,
        "decision_comment": dossier.decision_comment,
        "permits": [permit_out(p) for p in permits],
    }


def permit_out(permit: Permit) -> dict:
    return {
        "number": permit.number,
        "status": permit.status,
        "holder_first_name": permit.holder_first_name,
        "holder_last_name": permit.holder_last_name,
        "holder_birth_date": permit.holder_birth_date,
        "employer_name": permit.employer_name,
        "employer_siret": permit.employer_siret,
        "category": permit.category.code,
        "job_title": permit.job_title,
        "contract_type": permit.contract_type,
        "weekly_hours": permit.weekly_hours,
        "valid_from": permit.valid_from,
        "valid_until": permit.valid_until,
        "issued_at": permit.issued_at,
        "revoked_at": permit.revoked_at,
        "pdf_available": bool(permit.pdf),
        "qr_text": permit_qr_text(permit) if permit.seal else "",
    }


def document_out(document: Document) -> dict:
    return {
        "id": document.pk,
        "document_type": document.document_type.code if document.document_type_id else None,
        "original_name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_at": document.uploaded_at,
        "superseded_at": document.superseded_at,
        "from_message": document.message_id is not None,
    }
