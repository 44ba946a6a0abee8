from celery import shared_task

from .services import retention_purge


@shared_task(acks_late=False)  # long, and run again the next day: never handed out twice at once
def purge_personal_data() -> dict:
    """Daily (Celery beat): idle drafts warned then deleted, personal data past their period erased."""
    return retention_purge().counts
