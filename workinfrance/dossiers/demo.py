"""Demo dossiers for `make run`: every state, for both demo applicants, in both demo units.

Built through the services, so each one has its real history (events, messages, permit).
Idempotent: each scenario leaves a `demo.seed` event and is skipped when found again."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from workinfrance.accounts.models import Role, User
from workinfrance.core.events import event_record
from workinfrance.core.models import Event
from workinfrance.procedures.models import Category
from workinfrance.territories.models import Department

from . import services
from .checks import required_document_types
from .lifecycle import State
from .models import Dossier, FilerKind, RefusalReason, ResidencePermitType

SEED_VERB = "demo.seed"


@dataclass(frozen=True)
class DemoStudent:
    email: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    birth_place: str
    nationality: str
    # Department of the residence-permit address, per demo unit.
    departments: dict


STUDENTS = (
    DemoStudent(
        "etudiante@workinfrance.test",
        "Amina",
        "Benali",
        datetime.date(2001, 5, 17),
        "Oran (Algérie)",
        "algérienne",
        {
            "paris": ("75", "Paris", "75013", "14 rue de Tolbiac"),
            "lyon": ("69", "Lyon", "69007", "8 rue Chevreul"),
        },
    ),
    DemoStudent(
        "etudiant2@workinfrance.test",
        "Van An",
        "Nguyen",
        datetime.date(2000, 11, 2),
        "Hanoï (Viêt Nam)",
        "vietnamienne",
        {
            "paris": ("92", "Nanterre", "92000", "200 avenue de la République"),
            "lyon": ("69", "Villeurbanne", "69100", "20 avenue Albert Einstein"),
        },
    ),
)

# One job per state, so the demo reads like real life; the category varies too.
JOBS = {
    State.DRAFT: ("professionalisation", "professionalisation", "Assistant commercial", Decimal("35")),
    State.SUBMITTED: ("apprenticeship", "apprenticeship", "Apprentie développeuse web", Decimal("35")),
    State.IN_REVIEW: ("algerian_student", "fixed_term", "Vendeuse en boulangerie", Decimal("17.5")),
    State.AWAITING_COMPLEMENTS: (
        "apprenticeship",
        "apprenticeship",
        "Apprenti technicien réseaux",
        Decimal("35"),
    ),
    State.ACCEPTED: ("apprenticeship", "apprenticeship", "Apprentie data analyst", Decimal("35")),
    State.REFUSED: ("algerian_student", "fixed_term", "Serveuse", Decimal("17.5")),
    State.CLOSED: ("professionalisation", "professionalisation", "Chargé de clientèle", Decimal("35")),
}
EMPLOYERS = {
    "paris": ("Boulangerie du Panthéon SARL", "73282932000074", "3 rue Soufflot", "75005", "Paris"),
    "lyon": ("Société Lyonnaise de Services", "44306184100047", "12 quai Saint-Antoine", "69002", "Lyon"),
}


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (proper cross-reference table) saying what it stands for."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = (
        b"BT /F1 16 Tf 60 760 Td (Work in France - document de demonstration) Tj 0 -30 Td ("
        + text
        + b") Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed(units: dict) -> None:
    for student in STUDENTS:
        applicant = User.objects.get(email=student.email)
        for unit_key, unit in units.items():
            agent = unit.members.filter(role=Role.AGENT, is_active=True).order_by("pk").first()
            supervisor = unit.members.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
            for state in JOBS:
                key = f"{student.email}/{unit_key}/{state}"
                if Event.objects.filter(verb=SEED_VERB, data__key=key).exists():
                    continue
                with transaction.atomic():
                    dossier = _scenario(student, applicant, unit_key, state, agent, supervisor)
                    event_record(actor=None, verb=SEED_VERB, target=dossier, data={"key": key})


def _scenario(student, applicant, unit_key, state, agent, supervisor) -> Dossier:
    category_code, contract_type, job_title, hours = JOBS[state]
    if category_code == "algerian_student" and student.nationality != "algérienne":
        category_code, contract_type, hours = "professionalisation", "professionalisation", Decimal("35")
    dossier = services.dossier_draft_create(
        actor=applicant, category=Category.objects.get(code=category_code), filer_kind=FilerKind.STUDENT
    )
    services.dossier_draft_update(dossier=dossier, actor=applicant, changes=_data(student, unit_key))
    if state == State.DRAFT:
        return dossier  # the employer and job steps are still to fill in
    employer = EMPLOYERS[unit_key]
    today = timezone.localdate()
    services.dossier_draft_update(
        dossier=dossier,
        actor=applicant,
        changes={
            "employer_name": employer[0],
            "employer_siret": employer[1],
            "employer_address": employer[2],
            "employer_postcode": employer[3],
            "employer_city": employer[4],
            "employer_representative": "Claire Dupont",
            "employer_contact_email": "rh@example.test",
            "job_title": job_title,
            "work_address": f"{employer[2]}, {employer[3]} {employer[4]}",
            "contract_type": contract_type,
            "contract_start": today + datetime.timedelta(days=15),
            "contract_end": today + datetime.timedelta(days=15 + 364),
            "weekly_hours": hours,
            "gross_monthly_salary": Decimal("1250.00"),
        },
    )
    for document_type in required_document_types(dossier):
        services.document_upload(
            dossier=dossier,
            actor=applicant,
            document_type=document_type,
            uploaded_file=SimpleUploadedFile(
                f"{document_type.code}.pdf", demo_pdf(document_type.name), content_type="application/pdf"
            ),
        )
    services.dossier_submit(dossier=dossier, actor=applicant)
    if state == State.SUBMITTED:
        return dossier
    services.dossier_take(dossier=dossier, actor=agent)
    if state == State.IN_REVIEW:
        services.message_post(
            dossier=dossier,
            actor=agent,
            body="Bonjour, votre dossier est en cours d'examen. Pouvez-vous confirmer la date de début du contrat ?",
        )
        return dossier
    if state in (State.AWAITING_COMPLEMENTS, State.CLOSED):
        passport = dossier.category.document_types.filter(code="passport")
        services.dossier_request_complements(
            dossier=dossier,
            actor=agent,
            document_types=list(passport),
            message="La copie du passeport est illisible : merci d'envoyer un scan net des pages d'identité.",
        )
        if state == State.CLOSED:
            services.dossier_close(
                dossier=dossier,
                actor=agent,
                comment="Sans réponse à la demande de compléments ; contrat annulé.",
            )
        return dossier
    if state == State.ACCEPTED:
        services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
        services.message_post(dossier=dossier, actor=applicant, body="Merci beaucoup !")
        return dossier
    services.dossier_refuse(
        dossier=dossier,
        actor=supervisor,
        reason=RefusalReason.CONTRACT,
        comment="Le contrat fourni ne correspond pas à l'emploi déclaré (poste de nuit non mentionné).",
    )
    return dossier


def _data(student: DemoStudent, unit_key: str) -> dict:
    department, city, postcode, address = student.departments[unit_key]
    today = timezone.localdate()
    algerian = student.nationality == "algérienne"
    return {
        "student_birth_date": student.birth_date,
        "student_birth_place": student.birth_place,
        "student_nationality": student.nationality,
        "student_phone": "06 12 34 56 78",
        "student_address": address,
        "student_postcode": postcode,
        "student_city": city,
        "institution_name": "Université Paris Cité" if unit_key == "paris" else "Université Lumière Lyon 2",
        "enrolment_programme": "Master informatique",
        "enrolment_year": f"{today.year}-{today.year + 1}",
        "department": Department.objects.get(code=department),
        "residence_permit_type": (
            ResidencePermitType.ALGERIAN_CERTIFICATE if algerian else ResidencePermitType.STUDENT_CARD
        ),
        "residence_permit_number": "9912345678",
        "residence_permit_start": today - datetime.timedelta(days=120),
        "residence_permit_end": today + datetime.timedelta(days=600),
        "residence_permit_prefecture": "Préfecture de police de Paris"
        if unit_key == "paris"
        else "Préfecture du Rhône",
    }
