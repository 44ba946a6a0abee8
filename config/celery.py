"""Celery application. Without a broker (embedded default) tasks run in-process."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("workinfrance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _refuse_a_broken_schedule(sender=None, **kwargs):
    """Beat does not start with a required periodic task missing or misspelt (workinfrance.core.beat)."""
    from workinfrance.core.beat import beat_schedule_problems

    problems = beat_schedule_problems()
    if problems:
        raise SystemExit("Celery beat schedule refused:\n- " + "\n- ".join(problems))
