from celery import shared_task
from django.utils import timezone

from .services import opinion_reminders_send


@shared_task
def send_opinion_reminders() -> int:
    """Every morning (Celery beat): experts whose answer is due soon or late, once per stage."""
    return opinion_reminders_send(today=timezone.localdate())
