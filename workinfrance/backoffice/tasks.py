"""Background work of the back-office: batch actions."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_batch(*, batch_id: int) -> int:
    """One batch, dossier by dossier; a lost worker's batch is taken up where it stopped."""
    return services.batch_run(batch_id=batch_id).processed
