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

from workinfrance.core.cache import CACHE_UNAVAILABLE_MESSAGE, CacheUnavailable

from . import services
from .forms import (
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    EmailAuthenticationForm,
    ResendConfirmationForm,
    SignupForm,
)
from .models import User


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:after_login")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        try:
            throttled = services.login_is_throttled(email=email, client_ip=client_ip(request))
        except CacheUnavailable:  # the attempt counter is out of reach: fail closed, say so
            return self._refused(CACHE_UNAVAILABLE_MESSAGE, status=503)
        if throttled:
            return self._refused(self.get_form().error_messages["throttled"], status=429)
        return super().post(request, *args, **kwargs)

    def _refused(self, message, *, status: int):
        form = self.get_form()
        form.errors.clear()
        form.add_error(None, message)
        response = self.render_to_response(self.get_context_data(form=form), status=status)
        response["Retry-After"] = "60"
        return response

    def form_invalid(self, form):
        try:
            services.login_failure_record(
                email=self.request.POST.get("username", ""), client_ip=client_ip(self.request)
            )
        except CacheUnavailable:
            form.add_error(None, CACHE_UNAVAILABLE_MESSAGE)
        return super().form_invalid(form)

    def form_valid(self, form):
        services.login_failures_clear(email=form.get_user().email, client_ip=client_ip(self.request))
        return super().form_valid(form)


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


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=DsfrPasswordResetForm,
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=DsfrSetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
