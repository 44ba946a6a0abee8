"""The worker's side of webhooks. Delivery itself is the outbox's (kind "webhook"); this settles
what the outbox gave up on."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def settle_failed_webhooks() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): disable endpoints whose delivery failed for 24 hours."""
    return services.webhooks_settle_failures()
