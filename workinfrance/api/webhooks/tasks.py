"""The worker's side of webhooks: one attempt per task, and a sweep for the retries that are due."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver_webhook(*, delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def deliver_due_webhooks() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): retries whose time has come, and any delivery whose task was lost."""
    due = services.deliveries_due()
    for delivery_id in due:
        services.delivery_attempt(delivery_id=delivery_id)
    return len(due)
