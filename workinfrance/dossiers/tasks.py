from celery import shared_task

from .notifications import send_dossier_email_now


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_dossier_email(self, *, dossier_id: int, event_id: int | None, kind: str) -> None:
    send_dossier_email_now(dossier_id=dossier_id, event_id=event_id, kind=kind)
