"""Celery discovers tasks in `<app>.tasks`."""

from .webhooks.tasks import deliver_due_webhooks, deliver_webhook

__all__ = ["deliver_due_webhooks", "deliver_webhook"]
