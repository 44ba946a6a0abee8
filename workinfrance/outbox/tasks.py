"""Delivery of the outbox by Celery workers: one task per message, and the periodic sweep."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError

from . import services

logger = logging.getLogger(__name__)
# Retries of the task itself, when even recording the failure was impossible (database away).
DATABASE_RETRIES = 8


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_outbox_message(self, *, message_id: int) -> str:
    """Idempotent: a row already sent (or being sent by another worker) is skipped."""
    try:
        return services.outbox_deliver(message_id=message_id).value
    except DatabaseError as error:
        if self.request.is_eager:
            logger.warning("Outbox %s: database unavailable (%s); the sweep will retry", message_id, error)
            return services.Outcome.RETRY.value
        raise self.retry(
            exc=error,
            countdown=services.retry_delay_seconds(self.request.retries + 1),
            max_retries=DATABASE_RETRIES,
        ) from error


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE "outbox-sweep") and at worker start-up."""
    return services.outbox_sweep()


@worker_ready.connect
def _sweep_when_worker_starts(**kwargs) -> None:
    try:
        sweep_outbox.delay()
    except Exception:
        logger.exception("Outbox: could not queue the start-up sweep")
