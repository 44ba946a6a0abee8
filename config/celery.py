"""Celery application. Without a broker (embedded default) tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("workinfrance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
