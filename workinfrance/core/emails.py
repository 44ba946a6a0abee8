"""Every e-mail of the service goes through here, so each one carries the same legal notice."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def legal_footer() -> str:
    """The notice in French and English: the reader may not read French yet."""
    parts = []
    for language in ("fr", "en"):
        with translation.override(language):
            parts.append(
                render_to_string("core/email_footer.txt", {"SERVICE_NAME": settings.WIF_SERVICE_NAME}).strip()
            )
    return "--\n" + "\n\n".join(parts)


def send_service_email(*, to: str, subject: str, body: str, headers: dict | None = None) -> None:
    """Send now. Messages caused by a state change go through the outbox instead
    (`workinfrance.outbox.services.outbox_email`), which retries and never loses them."""
    message = EmailMessage(
        subject=f"[{settings.WIF_SERVICE_NAME}] {subject}",
        body=f"{body.rstrip()}\n\n{legal_footer()}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.send()
