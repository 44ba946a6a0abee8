from celery import shared_task
from django.utils import timezone

from .digest import alert_digests_send
from .services import monthly_reports_produce, renewal_reminders_send


@shared_task
def send_alert_digests() -> int:
    """Every morning (Celery beat): each agent's units' alerts; nothing to those with none."""
    return alert_digests_send(today=timezone.localdate())


@shared_task
def send_renewal_reminders() -> int:
    """Every morning: the renewal reminders due today (or missed on earlier days), once per permit."""
    return renewal_reminders_send(today=timezone.localdate())


@shared_task(acks_late=False)  # long on a large unit: never handed out twice at once
def produce_monthly_reports() -> int:
    """The first day of each month: every unit's report for the previous month."""
    return len(monthly_reports_produce(today=timezone.localdate()))
