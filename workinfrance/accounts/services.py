"""Account actions: sign-up, e-mail confirmation, login throttling."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from workinfrance.core.cache import throttle_clear, throttle_count, throttle_hit
from workinfrance.core.emails import send_service_email
from workinfrance.core.events import event_record
from workinfrance.core.links import absolute_url

from .models import Role, User
from .tokens import email_confirmation_token


def user_signup(*, email: str, password: str, first_name: str, last_name: str, language: str) -> User:
    """Create an applicant account, inactive for filing until the address is confirmed."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            role=Role.APPLICANT,
            preferred_language=language,
        )
        event_record(actor=user, verb="account.signed_up", target=user)
        transaction.on_commit(lambda: user_send_confirmation(user=user))
    return user


def confirmation_path(user: User) -> str:
    return reverse(
        "accounts:confirm_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_confirmation_token.make_token(user),
        },
    )


def user_send_confirmation(*, user: User) -> None:
    with translation.override(user.preferred_language):
        context = {"user": user, "url": absolute_url(confirmation_path(user))}
        send_service_email(
            to=user.email,
            subject=translation.gettext("Confirmez votre adresse e-mail"),
            body=render_to_string("accounts/email/confirm_email.txt", context),
        )


def user_confirm_email(*, user: User, token: str) -> bool:
    if user.email_confirmed:
        return True
    if not email_confirmation_token.check_token(user, token):
        return False
    User.objects.filter(pk=user.pk).update(email_confirmed=True)
    user.email_confirmed = True
    event_record(actor=user, verb="account.email_confirmed", target=user)
    return True


def _throttle_keys(email: str, client_ip: str) -> list[str]:
    return [f"login-fail:email:{email.lower()}", f"login-fail:ip:{client_ip}"]


def login_is_throttled(*, email: str, client_ip: str) -> bool:
    """Raises CacheUnavailable without the shared cache: the login then fails closed."""
    return any(
        throttle_count(key) >= settings.LOGIN_THROTTLE_LIMIT for key in _throttle_keys(email, client_ip)
    )


def login_failure_record(*, email: str, client_ip: str) -> None:
    for key in _throttle_keys(email, client_ip):
        throttle_hit(key, window=settings.LOGIN_THROTTLE_WINDOW)


def login_failures_clear(*, email: str, client_ip: str) -> None:
    throttle_clear(*_throttle_keys(email, client_ip))
