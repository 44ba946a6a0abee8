"""WebAuthn passkeys as the staff's second factor: django-otp-webauthn's ceremony (and its scripts,
served by the service itself under the strict CSP), with this service's rules around it:
- registering needs the same right as enrolling an app (first factor, or a verified session);
- using one needs the password first (never a way in on its own), is throttled like a code, and
  completes the second-factor step;
- French for the library's script messages (its catalogue has none)."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library
from django_otp_webauthn.utils import rewrite_exceptions

from .second_factor import WEBAUTHN, safe_next, second_factor_mark_done, second_factor_required
from .second_factor_services import passkey_registered
from .second_factor_views import THROTTLE_SCOPE, enrolment_completed, may_manage_factors
from .throttle import Throttled, throttle_check, throttle_fail, throttle_success


class NotAllowedHere(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "not_allowed"


class TooManyAttempts(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "throttled"


class _PostOnly:
    def dispatch(self, request, *args, **kwargs):
        # Before the library's checks: a GET is refused as a GET, whoever asks.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return super().dispatch(request, *args, **kwargs)


class _RegistrationRules(_PostOnly):
    def check_can_register(self):
        if not may_manage_factors(self.request):
            raise NotAllowedHere()

    def user_is_mfa_enrolled(self, user) -> bool:
        # The library's own rule ("verified with django-otp, or no device yet") in this service's terms.
        return not may_manage_factors(self.request)


class PasskeyRegistrationBegin(_RegistrationRules, library.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_RegistrationRules, library.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=library._get_pywebauthn_logger()):
            credential = self.get_helper().register_complete(user=user, state=state, data=self.request.data)
        passkey_registered(user=user, credential=credential)
        enrolment_completed(self.request, method=WEBAUTHN, device=credential)
        return JsonResponse({"id": credential.pk})


class _AuthenticationRules(_PostOnly):
    def check_can_authenticate(self):
        user = self.request.user
        if not (user.is_authenticated and second_factor_required(user)):
            raise NotAllowedHere()
        try:
            throttle_check(self.request, scope=THROTTLE_SCOPE, identifier=user.email)
        except Throttled as throttled:
            raise TooManyAttempts(detail=throttled.message) from throttled


class PasskeyAuthenticationBegin(_AuthenticationRules, library.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(_AuthenticationRules, library.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError:
            throttle_fail(self.request, scope=THROTTLE_SCOPE, identifier=self.request.user.email)
            raise

    def complete_auth(self, device):
        otp_login(self.request, device)
        throttle_success(self.request, scope=THROTTLE_SCOPE, identifier=self.request.user.email)
        second_factor_mark_done(self.request, method=WEBAUTHN)

    def get_success_url(self):
        return safe_next(self.request)


class PasskeyScriptCatalog(JavaScriptCatalog):
    """The library's script messages, with their French translation kept in this repository."""

    def get_paths(self, packages):
        return [*super().get_paths(packages), str(Path(settings.BASE_DIR) / "locale")]


# Included at the root under the library's namespace: its template tags reverse "otp_webauthn:...".
app_name = "otp_webauthn"
urlpatterns = [
    path("enregistrement/debut/", PasskeyRegistrationBegin.as_view(), name="credential-registration-begin"),
    path(
        "enregistrement/fin/", PasskeyRegistrationComplete.as_view(), name="credential-registration-complete"
    ),
    path("verification/debut/", PasskeyAuthenticationBegin.as_view(), name="credential-authentication-begin"),
    path(
        "verification/fin/",
        PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", PasskeyScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
