from celery import shared_task


@shared_task(ignore_result=False)
def worker_echo(token: str) -> str:
    """Round trip through the broker and a worker: used by `manage.py check_worker` and monitoring."""
    return token


@shared_task(ignore_result=True)
def clean_temporary_files() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE "files-clean-temporary"): finish moves of committed rows, drop
    staged files of abandoned transactions and upload spools of killed web workers. Orphans in place
    are only reported (removing them is `storage_check --fix`, by an operator)."""
    import datetime

    from .files import upload_temp_files_clean
    from .storage_audit import storage_check

    report = storage_check(fix=True, orphan_min_age=datetime.timedelta.max)
    return {
        "moved": len(report.moved),
        "removed": len(report.removed),
        "orphans": len(report.orphans),
        "upload_spools": upload_temp_files_clean(),
    }


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Periodic ("beat-heartbeat"): its time in the cache shows beat, the broker and a worker alive
    (metric wif_beat_heartbeat_timestamp_seconds; `make prod-check` waits for it)."""
    import time

    from django.core.cache import cache

    from .metrics import BEAT_HEARTBEAT_KEY

    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
