"""Demo data for `make run`: units, their staff, an applicant and an administrator.

Idempotent: running it again resets the demo passwords and leaves everything else alone.
Other apps add their own demo data through DEMO_SEEDERS in the seed_demo command."""

from dataclasses import dataclass

from django.db import transaction

from workinfrance.accounts.demo import demo_second_factor_lines, seed_demo_second_factor
from workinfrance.accounts.models import Role, User
from workinfrance.territories.models import Department, Unit

DEMO_PASSWORD = "WorkInFrance-2026!"


@dataclass(frozen=True)
class DemoUnit:
    key: str
    name: str
    address: str
    contact_email: str
    signatory_name: str
    departments: tuple[str, ...]


DEMO_UNITS = (
    DemoUnit(
        key="paris",
        name="DRIEETS Île-de-France – Unité départementale de Paris, service main-d'œuvre étrangère",
        address="35 rue de la Gare, 75019 Paris",
        contact_email="moe.paris@workinfrance.test",
        signatory_name="Pour le préfet de Paris, la cheffe du service main-d'œuvre étrangère, Claire Martin",
        departments=("75", "92", "93", "94"),
    ),
    DemoUnit(
        key="lyon",
        name="DREETS Auvergne-Rhône-Alpes – Unité départementale du Rhône, service main-d'œuvre étrangère",
        address="8-10 rue du Nord, 69625 Villeurbanne",
        contact_email="moe.lyon@workinfrance.test",
        signatory_name="Pour le préfet du Rhône, le chef du service main-d'œuvre étrangère, Karim Benali",
        departments=("69", "01", "38", "42"),
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    first_name: str
    last_name: str
    unit_key: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("etudiante@workinfrance.test", Role.APPLICANT, "Amina", "Benali"),
    DemoAccount("etudiant2@workinfrance.test", Role.APPLICANT, "Nguyen", "Van An"),
    DemoAccount("agent.paris@workinfrance.test", Role.AGENT, "Paul", "Durand", "paris"),
    DemoAccount("responsable.paris@workinfrance.test", Role.SUPERVISOR, "Claire", "Martin", "paris"),
    DemoAccount("agent.lyon@workinfrance.test", Role.AGENT, "Julie", "Moreau", "lyon"),
    DemoAccount("responsable.lyon@workinfrance.test", Role.SUPERVISOR, "Karim", "Benali", "lyon"),
    DemoAccount("admin@workinfrance.test", Role.ADMINISTRATOR, "Alex", "Admin"),
)


@transaction.atomic
def seed_units_and_accounts() -> dict[str, Unit]:
    units = {}
    for spec in DEMO_UNITS:
        unit, _ = Unit.objects.update_or_create(
            name=spec.name,
            defaults={
                "address": spec.address,
                "contact_email": spec.contact_email,
                "signatory_name": spec.signatory_name,
            },
        )
        unit.departments.set(Department.objects.filter(code__in=spec.departments))
        Department.objects.filter(code__in=spec.departments).update(is_open=True)
        units[spec.key] = unit
    for spec in DEMO_ACCOUNTS:
        user = User.objects.filter(email=spec.email).first() or User(email=spec.email)
        user.first_name, user.last_name, user.role = spec.first_name, spec.last_name, spec.role
        user.email_confirmed = True
        user.is_staff = user.is_superuser = spec.role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        if spec.unit_key:
            user.units.set([units[spec.unit_key]])
        seed_demo_second_factor(user)
    return units


def demo_accounts_table() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD})"]
    for spec in DEMO_ACCOUNTS:
        unit = f"  [{spec.unit_key}]" if spec.unit_key else ""
        lines.append(f"  {spec.role:<14} {spec.email}{unit}")
    return "\n".join([*lines, *demo_second_factor_lines()])
