from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Scope, WebhookEventType
from .owners import employer_sirets, units_managed_by

MAX_TOKEN_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OwnerChoiceMixin:
    """The owner field: one of the supervisor's units, or one of the employer account's SIRETs."""

    def _owner_field(self, user):
        self.units = list(units_managed_by(user))
        self.sirets = employer_sirets(user)
        choices = [(f"unit:{u.pk}", str(u)) for u in self.units] + [
            (f"siret:{s}", f"SIRET {s}") for s in self.sirets
        ]
        self.fields["owner"] = forms.ChoiceField(label=_("Pour"), choices=choices)

    def owner_kwargs(self) -> dict:
        kind, _sep, value = self.cleaned_data["owner"].partition(":")
        if kind == "unit":
            return {"unit": next(u for u in self.units if str(u.pk) == value)}
        return {"unit": None, "employer_siret": value}


class TokenForm(OwnerChoiceMixin, DsfrBaseForm):
    name = forms.CharField(
        label=_("Nom"), max_length=100, help_text=_("Par exemple : le logiciel qui l'utilise.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Droits"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(label=_("Expire le"), widget=DateInput(), help_text=_("Au plus un an."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_field(user)
        self.fields = {name: self.fields[name] for name in ("owner", "name", "scopes", "expires_on")}

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if not today < day <= today + timezone.timedelta(days=MAX_TOKEN_DAYS):
            raise forms.ValidationError(_("Choisissez une date dans l'année qui vient."))
        return day


class WebhookForm(OwnerChoiceMixin, DsfrBaseForm):
    url = forms.URLField(label=_("Adresse du récepteur"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Événements"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._owner_field(user)
        self.fields = {name: self.fields[name] for name in ("owner", "url", "event_types")}
