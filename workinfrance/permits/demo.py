"""Demo permits for `make run`: accepted dossiers with their signed PDFs in the media folder, one revoked.

Idempotent: a demo dossier is recognised by its applicant and student name and never created twice.
Goes through the real transitions (submit, take, accept), so the seal key and the development PAdES
CA are created here on a fresh machine."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from workinfrance.accounts.models import User
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.checks import required_document_types
from workinfrance.dossiers.models import Document, Dossier, FilerKind, ResidencePermitType
from workinfrance.procedures.models import Category, ContractType
from workinfrance.territories.models import Department

from .services import (
    decision_letters_pdf_issue_missing,
    permit_revoke_by_supervisor,
    permits_pdf_issue_missing,
)

# A one-page blank PDF standing for the uploaded pieces.
DEMO_DOCUMENT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoPermit:
    applicant_email: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    nationality: str
    department: str
    employer_name: str
    employer_siret: str
    job_title: str
    agent_email: str
    supervisor_email: str
    revoked_reason: str = ""


DEMO_PERMITS = (
    DemoPermit(
        "etudiante@workinfrance.test",
        "Amina",
        "Benali",
        datetime.date(2003, 5, 21),
        "algérienne",
        "75",
        "Boulangerie du Panthéon SARL",
        "73282932000074",
        "Apprentie développeuse web",
        "agent.paris@workinfrance.test",
        "responsable.paris@workinfrance.test",
    ),
    DemoPermit(
        "etudiant2@workinfrance.test",
        "Van An",
        "Nguyen",
        datetime.date(2001, 11, 2),
        "vietnamienne",
        "69",
        "Atelier des Canuts SAS",
        "55203253400646",
        "Apprenti technicien de maintenance",
        "agent.lyon@workinfrance.test",
        "responsable.lyon@workinfrance.test",
    ),
    DemoPermit(
        "etudiant2@workinfrance.test",
        "Van An",
        "Nguyen",
        datetime.date(2001, 11, 2),
        "vietnamienne",
        "75",
        "Librairie du Quartier latin SARL",
        "73282932000074",
        "Apprenti libraire",
        "agent.paris@workinfrance.test",
        "responsable.paris@workinfrance.test",
        revoked_reason="Contrat d'apprentissage rompu pendant la période d'essai (démonstration).",
    ),
)


def _dossier_create(spec: DemoPermit, applicant: User) -> Dossier:
    today = timezone.localdate()
    dossier = Dossier.objects.create(
        category=Category.objects.get(code="apprenticeship"),
        applicant=applicant,
        filer_kind=FilerKind.STUDENT,
        student_first_name=spec.first_name,
        student_last_name=spec.last_name,
        student_birth_date=spec.birth_date,
        student_birth_place="—",
        student_nationality=spec.nationality,
        student_email=spec.applicant_email,
        student_address="12 rue des Écoles",
        student_postcode=f"{spec.department}005",
        student_city="Paris" if spec.department == "75" else "Lyon",
        department=Department.objects.get(code=spec.department),
        residence_permit_type=ResidencePermitType.STUDENT_CARD,
        residence_permit_number="7501234567",
        residence_permit_start=today - datetime.timedelta(days=200),
        residence_permit_end=today + datetime.timedelta(days=500),
        residence_permit_prefecture="Préfecture",
        institution_name="Université de démonstration",
        enrolment_programme="Licence professionnelle",
        enrolment_year=f"{today.year}-{today.year + 1}",
        employer_name=spec.employer_name,
        employer_siret=spec.employer_siret,
        employer_address="3 rue Soufflot",
        employer_postcode=f"{spec.department}005",
        employer_city="Paris" if spec.department == "75" else "Lyon",
        employer_representative="Jean Dupont",
        employer_contact_email="rh@example.test",
        job_title=spec.job_title,
        work_address="3 rue Soufflot",
        contract_type=ContractType.APPRENTICESHIP,
        contract_start=today - datetime.timedelta(days=5),
        contract_end=today + datetime.timedelta(days=360),
        weekly_hours=Decimal("35.0"),
        gross_monthly_salary=Decimal("1100.00"),
    )
    for document_type in required_document_types(dossier):
        Document.objects.create(
            dossier=dossier,
            document_type=document_type,
            file=ContentFile(DEMO_DOCUMENT, name="piece.pdf"),
            original_name=f"{document_type.code}.pdf",
            content_type="application/pdf",
            size=len(DEMO_DOCUMENT),
            sha256=hashlib.sha256(DEMO_DOCUMENT).hexdigest(),
            uploaded_by=applicant,
        )
    return dossier


def seed(units) -> None:
    for spec in DEMO_PERMITS:
        applicant = User.objects.get(email=spec.applicant_email)
        if Dossier.objects.filter(
            applicant=applicant, student_last_name=spec.last_name, employer_name=spec.employer_name
        ).exists():
            continue
        agent = User.objects.get(email=spec.agent_email)
        with transaction.atomic():
            dossier = _dossier_create(spec, applicant)
        dossier_services.dossier_submit(dossier=dossier, actor=applicant)
        dossier_services.dossier_take(dossier=dossier, actor=agent)
        dossier_services.dossier_accept(
            dossier=dossier, actor=agent, terms=dossier_services.permit_terms_proposed(dossier)
        )
        # Issued now even when a broker queues the task: the demo must show PDFs at once.
        permits_pdf_issue_missing()
        if spec.revoked_reason:
            permit_revoke_by_supervisor(
                permit=dossier.permits.get(),
                actor=User.objects.get(email=spec.supervisor_email),
                reason=spec.revoked_reason,
            )
            decision_letters_pdf_issue_missing()
