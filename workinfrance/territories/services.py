"""Units and the departments they cover, changed by administrators (everything) and supervisors
(their own unit's contact details and signatory). Every change is audited."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record

from .models import Department, Unit, UnitDepartment

# What a supervisor may change on their own unit; the rest (name, departments, sign-in policy)
# changes who decides what, nationally: administrators only.
SUPERVISOR_FIELDS = ("address", "contact_email", "signatory_name")
ADMINISTRATOR_FIELDS = ("name", *SUPERVISOR_FIELDS, "require_proconnect")


class UnitAdminError(Exception):
    """A change refused; `message` is for the user, in their language."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def units_administered_by(user) -> QuerySet[Unit]:
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_administrator:
        return Unit.objects.all()
    if user.is_supervisor:
        return Unit.objects.filter(pk__in=user.units.values("pk"))
    return Unit.objects.none()


def editable_unit_fields(user) -> tuple[str, ...]:
    return ADMINISTRATOR_FIELDS if user.is_administrator else SUPERVISOR_FIELDS


def departments_taken_elsewhere(departments, unit: Unit | None) -> dict[str, str]:
    """{department code: name of the unit covering it} for those another unit already covers."""
    taken = UnitDepartment.objects.filter(department__in=departments).select_related("unit")
    if unit is not None and unit.pk:
        taken = taken.exclude(unit=unit)
    return {row.department_id: row.unit.name for row in taken}


def unit_save(*, actor, unit: Unit | None, data: dict, departments=None) -> Unit:
    """Create (`unit` None, administrators) or change a unit. `departments` (administrators only):
    the full list the unit covers from now on; one already covered by another unit is refused."""
    creating = unit is None
    allowed = set(editable_unit_fields(actor)) if actor.is_authenticated else set()
    if creating and not actor.is_administrator:
        raise UnitAdminError(_("Seul un administrateur peut créer une unité."))
    if unit is not None and not units_administered_by(actor).filter(pk=unit.pk).exists():
        raise UnitAdminError(_("Vous ne pouvez pas modifier cette unité."))
    refused = set(data) - allowed
    if refused or (departments is not None and not actor.is_administrator):
        raise UnitAdminError(_("Seul un administrateur peut modifier ces informations."))
    with transaction.atomic():
        if unit is None:
            unit = Unit(**data)
            unit.save()
            changed = sorted(data)
        else:
            unit = Unit.objects.select_for_update().get(pk=unit.pk)
            changed = sorted(name for name, value in data.items() if getattr(unit, name) != value)
            for name in changed:
                setattr(unit, name, data[name])
            if changed:
                unit.save(update_fields=changed)
        added: list[str] = []
        removed: list[str] = []
        if departments is not None:
            added, removed = _departments_set(unit, departments)
        if creating or changed or added or removed:
            event_record(
                actor=actor,
                verb="unit.create" if creating else "unit.update",
                target=unit,
                data={"fields": changed, "departments_added": added, "departments_removed": removed},
            )
    return unit


def _departments_set(unit: Unit, departments) -> tuple[list[str], list[str]]:
    wanted = {department.code for department in departments}
    current = set(unit.departments.values_list("code", flat=True))
    taken = departments_taken_elsewhere(Department.objects.filter(code__in=wanted - current), unit)
    if taken:
        raise UnitAdminError(_departments_taken_message(taken), field="departments")
    UnitDepartment.objects.filter(unit=unit, department_id__in=current - wanted).delete()
    try:
        with transaction.atomic():  # another administrator may have claimed one a moment ago
            UnitDepartment.objects.bulk_create(
                [UnitDepartment(unit=unit, department_id=code) for code in sorted(wanted - current)]
            )
    except IntegrityError:
        taken = departments_taken_elsewhere(Department.objects.filter(code__in=wanted - current), unit)
        raise UnitAdminError(_departments_taken_message(taken), field="departments") from None
    return sorted(wanted - current), sorted(current - wanted)


def _departments_taken_message(taken: dict[str, str]) -> str:
    listed = ", ".join(f"{code} ({unit})" for code, unit in sorted(taken.items()))
    return _(
        "Ces départements sont déjà couverts par une autre unité : %(list)s. Retirez-les d'abord de "
        "cette unité (une seule unité décide pour un département)."
    ) % {"list": listed}
