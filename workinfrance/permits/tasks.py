"""Background work of permits: the PDF after acceptance, and the sweep that guarantees it."""

from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=600, max_retries=12)
def issue_permit_pdf(self, *, permit_id: int) -> None:
    services.permit_pdf_issue(permit_id=permit_id)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=5, retry_backoff_max=600, max_retries=12)
def issue_decision_letter_pdf(self, *, letter_id: int) -> None:
    services.decision_letter_pdf_issue(letter_id=letter_id)


@shared_task
def issue_missing_permit_pdfs() -> list[str]:
    """Periodic (CELERY_BEAT_SCHEDULE) and at worker start-up: nothing stays without its PDF
    (permits, then decision letters)."""
    done = services.permits_pdf_issue_missing()
    services.decision_letters_pdf_issue_missing()
    return done


@worker_ready.connect
def _sweep_when_worker_starts(**kwargs) -> None:
    issue_missing_permit_pdfs.delay()
