"""What the API answers: the published contract (OpenAPI), separate from the models."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from workinfrance.dossiers.fields import APPLICANT_FIELDS

StateName = Literal["submitted", "in_review", "awaiting_complements", "accepted", "refused", "closed"]


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict] | None = None


class DossierSummary(Schema):
    number: str
    state: StateName
    category: str
    department: str | None
    filed_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    student_first_name: str
    student_last_name: str
    employer_name: str
    employer_siret: str
    job_title: str


class DossierPage(Schema):
    items: list[DossierSummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null at the end.")


class UnitDossierSummary(DossierSummary):
    assignee_id: int | None


class UnitDossierPage(Schema):
    items: list[UnitDossierSummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null at the end.")


class PermitOut(Schema):
    number: str
    status: Literal["valid", "revoked"]
    holder_first_name: str
    holder_last_name: str
    holder_birth_date: datetime.date | None  # None once erased after the retention period
    employer_name: str
    employer_siret: str
    category: str
    job_title: str
    contract_type: str
    weekly_hours: Decimal
    valid_from: datetime.date
    valid_until: datetime.date
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    pdf_available: bool
    qr_text: str


class DossierDetail(UnitDossierSummary):
    """Every structured field of the dossier (as filed), with its state and decision."""

    data: dict = Field(description="The applicant's data, field by field: " + ", ".join(APPLICANT_FIELDS))
    unit: str | None
    submitted_at: datetime.datetime | None
    refusal_reason: str
    decision_comment: str
    permits: list[PermitOut]


class EmployerDossier(DossierSummary):
    permits: list[PermitOut]


class DocumentOut(Schema):
    id: int
    document_type: str | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    superseded_at: datetime.datetime | None
    from_message: bool


class EventOut(Schema):
    id: int
    verb: str
    at: datetime.datetime
    actor_id: int | None
    data: dict


class ComplementsIn(Schema):
    message: str = Field(min_length=1, max_length=5000)
    document_types: list[str] = Field(
        default_factory=list, description="Codes of the category's document types."
    )


class AcceptIn(Schema):
    validity_start: datetime.date
    validity_end: datetime.date
    weekly_hours: Decimal = Field(gt=0, le=99, decimal_places=1)


class RefuseIn(Schema):
    reason: Literal["incomplete", "not_student", "residence", "hours", "contract", "salary", "fraud", "other"]
    comment: str = Field(default="", max_length=5000)


class VerifyIn(Schema):
    seal: str | None = Field(default=None, max_length=4096, description="One QR text (no token needed).")
    seals: list[Annotated[str, Field(max_length=4096)]] | None = Field(
        default=None, max_length=1000, description="Up to 1,000 QR texts (needs a token)."
    )


class SignedFields(Schema):
    number: str
    last_name: str
    first_name: str
    birth_date: datetime.date
    employer_name: str
    employer_siret: str
    category: str
    weekly_hours: Decimal
    valid_from: datetime.date
    valid_until: datetime.date
    issuer: str


class SealVerdict(Schema):
    verdict: Literal["valid", "not_yet_in_force", "expired", "revoked", "not_genuine", "malformed"]
    signed: SignedFields | None
    revoked_at: datetime.datetime | None


class VerifyOut(Schema):
    results: list[SealVerdict]


class WebhookIn(Schema):
    url: str = Field(max_length=500)
    event_types: list[
        Literal[
            "dossier.submitted",
            "dossier.complements_requested",
            "dossier.resubmitted",
            "dossier.decided",
            "permit.issued",
            "permit.revoked",
        ]
    ] = Field(min_length=1)


class WebhookOut(Schema):
    id: int
    url: str
    event_types: list[str]
    is_active: bool
    created_at: datetime.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret (Standard Webhooks), shown once.")


class DeliveryOut(Schema):
    id: int
    message_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
