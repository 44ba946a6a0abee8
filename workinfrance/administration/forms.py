from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from workinfrance.accounts.models import Role
from workinfrance.territories.models import Department, Unit
from workinfrance.territories.services import departments_taken_elsewhere


class UnitForm(DsfrBaseForm, forms.ModelForm):
    """The unit's details; the fields the user may not change are left out (services check it too)."""

    departments = forms.ModelMultipleChoiceField(
        label=_("Départements couverts"),
        queryset=Department.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Une seule unité décide pour un département."),
    )

    class Meta:
        model = Unit
        fields = ["name", "address", "contact_email", "signatory_name", "require_proconnect"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, editable: tuple[str, ...], with_departments: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "departments" and name not in editable:
                del self.fields[name]
        if not with_departments:
            del self.fields["departments"]
        elif self.instance.pk:
            self.initial["departments"] = list(self.instance.departments.values_list("code", flat=True))

    def clean_departments(self):
        departments = self.cleaned_data["departments"]
        taken = departments_taken_elsewhere(departments, self.instance if self.instance.pk else None)
        if taken:
            listed = ", ".join(f"{code} ({unit})" for code, unit in sorted(taken.items()))
            raise forms.ValidationError(
                _("Déjà couverts par une autre unité : %(list)s."), params={"list": listed}
            )
        return departments

    def unit_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "departments"}


class InviteForm(DsfrBaseForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail professionnelle"))
    role = forms.ChoiceField(label=_("Rôle"))
    language = forms.ChoiceField(
        label=_("Langue des messages"), choices=[("fr", "Français"), ("en", "English")], initial="fr"
    )

    def __init__(self, *args, roles: list[Role], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
