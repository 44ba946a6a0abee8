"""Every e-mail of the service goes through here, so each one carries the same legal notice."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_service_email(*, to: str, subject: str, body: str) -> None:
    footer = render_to_string("core/email_footer.txt", {"SERVICE_NAME": settings.WIF_SERVICE_NAME})
    message = EmailMessage(
        subject=f"[{settings.WIF_SERVICE_NAME}] {subject}",
        body=f"{body.rstrip()}\n\n{footer}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.send()
