from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Role, User
from .throttle import Throttled, throttle_check, throttle_fail, throttle_success


class SignupForm(DsfrBaseForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), help_text=_("Format attendu : nom@domaine.fr"))
    password1 = forms.CharField(
        label=_("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres, pas un mot de passe courant."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # A known address is not refused here: the page would tell anyone who has an account.
        # The service writes to the owner instead (accounts.services.user_signup).
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        if p1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ThrottledAuthenticationMixin:
    """Every password check, on the site and in the admin, goes through the one throttle.

    Counted on the raw posted name (the throttle normalises it), before the form strips it."""

    def clean(self):
        identifier = self.data.get("username", "")
        try:
            throttle_check(self.request, scope="login", identifier=identifier)
        except Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.user_cache is None:  # wrong credentials (not: right password, account unconfirmed)
                throttle_fail(self.request, scope="login", identifier=identifier)
            raise
        if self.user_cache is None:  # a field was missing or malformed: counts as a failed try
            throttle_fail(self.request, scope="login", identifier=identifier)
        else:
            throttle_success(self.request, scope="login", identifier=identifier)
        return cleaned


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationMixin, AdminAuthenticationForm):
    """The admin's login form (`admin.site.login_form`)."""


class EmailAuthenticationForm(ThrottledAuthenticationMixin, DsfrBaseForm, AuthenticationForm):
    username = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "unconfirmed": _(
            "Votre adresse e-mail n'est pas encore confirmée. Ouvrez le lien reçu par e-mail, "
            "ou demandez un nouveau lien ci-dessous."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role == Role.APPLICANT and not user.email_confirmed:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class ResendConfirmationForm(DsfrBaseForm):
    email = forms.EmailField(label=_("Adresse e-mail"))


class DsfrPasswordResetForm(DsfrBaseForm, PasswordResetForm):
    pass


class DsfrSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass


class TotpCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        help_text=_("Le code affiché par votre application d'authentification, par exemple 123456."),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


class RecoveryCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code de secours"),
        help_text=_("L'un des dix codes reçus lors de l'activation, par exemple ABCD-EFGH-JKLM."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )
