"""Factories shared by every test module. Dossiers are built complete and consistent by default."""

import datetime
import io
from decimal import Decimal

import factory
import pikepdf
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from workinfrance.accounts.models import Role, User
from workinfrance.dossiers.checks import required_document_types
from workinfrance.dossiers.models import Document, Dossier, FilerKind, ResidencePermitType
from workinfrance.procedures.models import Category, ContractType
from workinfrance.territories.models import Department, Unit


# Smallest valid files of each accepted format, recognised by their bytes.
def _one_page_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    buffer = io.BytesIO()
    pdf.save(buffer, static_id=True, deterministic_id=False)
    return buffer.getvalue()


PDF_BYTES = _one_page_pdf()


def _tiny_image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 255, 255)).save(buffer, format=image_format)
    return buffer.getvalue()


# Real 8 × 8 images: uploads are decoded and drawn again, a header alone is refused.
JPEG_BYTES = _tiny_image("JPEG")
PNG_BYTES = _tiny_image("PNG")

VALID_SIRET = "73282932000074"  # checks out with the Luhn key


def open_department(code: str) -> Department:
    department = Department.objects.get(code=code)
    if not department.is_open:
        department.is_open = True
        department.save(update_fields=["is_open"])
    return department


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Unité main-d'œuvre étrangère n°{n}")
    address = "1 place de la République, 75003 Paris"
    contact_email = factory.Sequence(lambda n: f"unite{n}@example.test")
    signatory_name = "Pour le préfet, la cheffe de service, Claire Martin"

    @factory.post_generation
    def department_codes(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set([open_department(code) for code in extracted])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.APPLICANT
    email_confirmed = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)
        if create:
            self.save()


def agent_of(unit: Unit, **kwargs) -> User:
    return UserFactory(role=Role.AGENT, units=[unit], **kwargs)


def supervisor_of(unit: Unit, **kwargs) -> User:
    return UserFactory(role=Role.SUPERVISOR, units=[unit], **kwargs)


def category(code: str = "apprenticeship") -> Category:
    return Category.objects.get(code=code)


class DossierFactory(factory.django.DjangoModelFactory):
    """A complete, consistent apprenticeship draft in Paris; add documents with `attach_required_documents`."""

    class Meta:
        model = Dossier

    category = factory.LazyFunction(category)
    applicant = factory.SubFactory(UserFactory)
    filer_kind = FilerKind.STUDENT
    student_first_name = "Amina"
    student_last_name = factory.Sequence(lambda n: f"Haddad{n}")
    student_birth_date = datetime.date(2002, 3, 14)
    student_birth_place = "Alger"
    student_nationality = "algérienne"
    student_email = "amina@example.test"
    student_address = "12 rue des Écoles"
    student_postcode = "75005"
    student_city = "Paris"
    department = factory.LazyFunction(lambda: open_department("75"))
    residence_permit_type = ResidencePermitType.STUDENT_CARD
    residence_permit_number = "7501234567"
    residence_permit_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    residence_permit_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=500))
    residence_permit_prefecture = "Préfecture de police de Paris"
    institution_name = "Sorbonne Université"
    enrolment_programme = "Master informatique"
    enrolment_year = "2026-2027"
    employer_name = "Boulangerie du Panthéon SARL"
    employer_siret = VALID_SIRET
    employer_address = "3 rue Soufflot"
    employer_postcode = "75005"
    employer_city = "Paris"
    employer_representative = "Jean Dupont"
    employer_contact_email = "rh@example.test"
    job_title = "Apprentie développeuse"
    work_address = "3 rue Soufflot, 75005 Paris"
    contract_type = ContractType.APPRENTICESHIP
    contract_start = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    contract_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=375))
    weekly_hours = Decimal("35.0")
    gross_monthly_salary = Decimal("1100.00")


def attach_document(dossier: Dossier, document_type, *, content: bytes = PDF_BYTES, name: str = "piece.pdf"):
    return Document.objects.create(
        dossier=dossier,
        document_type=document_type,
        file=ContentFile(content, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=dossier.applicant,
    )


def attach_required_documents(dossier: Dossier) -> Dossier:
    for document_type in required_document_types(dossier):
        attach_document(dossier, document_type)
    return dossier


def complete_draft(**kwargs) -> Dossier:
    return attach_required_documents(DossierFactory(**kwargs))
