from celery import shared_task

from .services import stats_rebuild, stats_refresh


@shared_task
def refresh_statistics() -> None:
    """Every minute or so (Celery beat): keeps the public figures live without waiting for a visitor."""
    stats_refresh()


@shared_task(acks_late=False)  # long, and run again every night: never handed out twice at once
def rebuild_statistics() -> None:
    """Nightly: recomputes everything, which also forgets dossiers deleted by the retention purge."""
    stats_rebuild()
