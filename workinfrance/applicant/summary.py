"""The dossier's data grouped by filing step, as label/value pairs for the review and tracking pages."""

from django.utils.formats import date_format, number_format

from workinfrance.dossiers.models import Dossier

from .forms import STEP_FORMS
from .steps import STEPS


def _display(dossier: Dossier, name: str) -> str:
    field = Dossier._meta.get_field(name)
    value = getattr(dossier, name)
    if value in (None, ""):
        return ""
    if field.choices:
        return getattr(dossier, f"get_{name}_display")()
    if name == "category":
        return value.label
    if isinstance(value, bool):
        return str(field.verbose_name) if value else ""
    if field.get_internal_type() == "DateField":
        return date_format(value, "SHORT_DATE_FORMAT")
    if field.get_internal_type() == "DecimalField":
        return number_format(value)
    return str(value)


def dossier_summary(dossier: Dossier) -> list[dict]:
    sections = []
    for step in STEPS:
        form_class = STEP_FORMS.get(step.slug)
        if form_class is None:
            continue
        rows = [
            {"label": Dossier._meta.get_field(name).verbose_name, "value": _display(dossier, name)}
            for name in form_class._meta.fields
        ]
        sections.append({"step": step, "rows": rows})
    return sections
