from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from workinfrance.procedures.models import Category
from workinfrance.territories.models import Department, Unit

from .selectors import Filters


class StatsFilterForm(DsfrBaseForm):
    category = forms.ModelChoiceField(
        label=_("Catégorie"), queryset=Category.objects.all(), required=False, empty_label=_("Toutes")
    )
    department = forms.ModelChoiceField(
        label=_("Département"),
        queryset=Department.objects.filter(units__isnull=False).distinct(),
        required=False,
        empty_label=_("Tous"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unité"), queryset=Unit.objects.all(), required=False, empty_label=_("Toutes")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda category: category.label

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            category=data["category"].pk if data.get("category") else None,
            department=data["department"].pk if data.get("department") else None,
            unit=data["unit"].pk if data.get("unit") else None,
        )
