from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import (
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    EmailAuthenticationForm,
    ResendConfirmationForm,
    SignupForm,
)
from .models import User
from .throttle import Throttled, throttle_hit, throttle_reset


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:after_login")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            throttle_hit(request, scope="signup", identifier=form.cleaned_data["email"])
        except Throttled as throttled:
            form.add_error(None, throttled.message)
            return render(request, "accounts/signup.html", {"form": form})
        # Same answer whether the address has an account or not (its owner gets an e-mail).
        services.user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=get_language() or "fr",
        )
        return render(request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def confirm_email(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not services.user_confirm_email(user=user, token=token):
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    messages.success(request, _("Votre adresse e-mail est confirmée. Vous pouvez vous connecter."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            throttle_hit(request, scope="resend_confirmation", identifier=form.cleaned_data["email"])
        except Throttled as throttled:
            form.add_error(None, throttled.message)
            return render(request, "accounts/resend_confirmation.html", {"form": form})
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], email_confirmed=False).first()
        if user is not None:
            services.user_send_confirmation(user=user)
        # Same answer whether the account exists or not: no account enumeration.
        messages.info(
            request, _("Si un compte non confirmé existe pour cette adresse, un nouveau lien a été envoyé.")
        )
        return redirect("accounts:login")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    # The form itself goes through the throttle (EmailAuthenticationForm), as the admin's does.


@login_required
def after_login(request):
    """Send each role to its own home."""
    user = request.user
    if user.is_agent:
        target = "backoffice:inbox"
    elif user.is_administrator:
        target = "admin:index"
    else:
        target = "applicant:dashboard"
    return redirect(target)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        try:
            throttle_hit(self.request, scope="password_reset", identifier=form.cleaned_data["email"])
        except Throttled as throttled:
            form.add_error(None, throttled.message)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        # The e-mail link proves the owner: failed logins of others no longer slow them down.
        throttle_reset(scope="login", identifier=self.user.email)
        return super().form_valid(form)


password_reset = PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=DsfrPasswordResetForm,
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=DsfrSetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
