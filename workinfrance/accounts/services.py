"""Account actions: sign-up, e-mail confirmation (throttling: accounts.throttle)."""

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from workinfrance.core.emails import send_service_email
from workinfrance.core.events import event_record
from workinfrance.core.links import absolute_url

from .models import Role, User
from .tokens import email_confirmation_token


def user_signup(*, email: str, password: str, first_name: str, last_name: str, language: str) -> User | None:
    """Create an applicant account, inactive for filing until the address is confirmed.

    For an address that already has an account nothing is created (None) and its owner is told
    by e-mail: the page answers the same either way, so it reveals no account."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # the same work as a real sign-up: the answer takes as long
        transaction.on_commit(lambda: user_send_account_exists(user=existing))
        return None
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


def user_send_account_exists(*, user: User) -> None:
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "login_url": absolute_url(reverse("accounts:login")),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        }
        send_service_email(
            to=user.email,
            subject=translation.gettext("Vous avez déjà un compte"),
            body=render_to_string("accounts/email/account_exists.txt", context),
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
