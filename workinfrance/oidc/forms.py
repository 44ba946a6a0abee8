from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class LinkPasswordForm(DsfrBaseForm):
    password = forms.CharField(
        label=_("Mot de passe de votre compte Work in France"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
