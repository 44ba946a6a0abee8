from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .selectors import normalize_number


class VerifyByNumberForm(DsfrBaseForm):
    number = forms.CharField(
        label=_("Numéro de l'autorisation"),
        max_length=40,
        help_text=_("Imprimé sous le titre, par exemple APT-2026-75-7K3M9QXA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self):
        # Only the form of the number is judged here: it says nothing about which permits exist.
        number = normalize_number(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(
                _("Ce n'est pas un numéro d'autorisation : il a la forme APT-2026-75-7K3M9QXA.")
            )
        return number

    birth_date = forms.DateField(
        label=_("Date de naissance du titulaire"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Format attendu : JJ/MM/AAAA."),
    )


class RevokeForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Motif du retrait"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Obligatoire. Il est conservé dans l'historique ; il n'est pas affiché aux vérificateurs."
        ),
    )
