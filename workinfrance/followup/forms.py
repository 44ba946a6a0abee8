from django import forms
from django.utils.translation import gettext_lazy as _

from .renewals import DEFAULT_WITHIN_DAYS, MAX_WITHIN_DAYS


class RenewalFilterForm(forms.Form):
    """The renewal follow-up's filters: one of the user's units, and the window in days."""

    unit = forms.TypedChoiceField(label=_("Unité"), coerce=int, required=False)
    jours = forms.IntegerField(
        label=_("Fin dans les N prochains jours"),
        min_value=1,
        max_value=MAX_WITHIN_DAYS,
        required=False,
        error_messages={
            "invalid": _("Indiquez un nombre de jours."),
            "min_value": _("Indiquez au moins %(limit_value)s jour."),
            "max_value": _("Indiquez au plus %(limit_value)s jours."),
        },
    )

    def __init__(self, data, *, units):
        super().__init__(data)
        self.units = list(units)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in self.units]

    def chosen(self) -> tuple[object, int]:
        """(unit, days) from valid input, the defaults otherwise."""
        data = self.cleaned_data if self.is_valid() else {}
        wanted = data.get("unit")
        unit = next((u for u in self.units if u.pk == wanted), self.units[0] if self.units else None)
        return unit, data.get("jours") or DEFAULT_WITHIN_DAYS
