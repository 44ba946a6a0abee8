"""Which unit decides a dossier: the department of the student's residence-permit address."""

from django.utils.translation import gettext as _

from .models import Department, Unit


class RoutingError(Exception):
    """The department cannot be served online; `message` is for the user, in their language."""

    def __init__(self, message: str, *, department: Department | None = None):
        super().__init__(message)
        self.message = message
        self.department = department


def unit_for_department(code: str) -> Unit:
    code = (code or "").strip().upper()
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise RoutingError(
            _("« %(code)s » n'est pas un code de département français connu.") % {"code": code}
        )
    if not department.is_open:
        message = _(
            "Le département %(name)s n'est pas encore ouvert à Work in France : la demande se fait "
            "auprès de la DREETS ou DDETS de ce département."
        ) % {"name": department}
        if department.closed_guidance:
            message = f"{message} {department.closed_guidance}"
        raise RoutingError(message, department=department)
    unit = department.units.first()  # one at most (UnitDepartment's constraint)
    if unit is None:
        raise RoutingError(
            _("Aucune unité n'instruit encore les demandes du département %(name)s.") % {"name": department},
            department=department,
        )
    return unit
