from celery import shared_task


@shared_task
def worker_echo(token: str) -> str:
    """Round trip through the broker and a worker: used by `manage.py check_worker` and monitoring."""
    return token
