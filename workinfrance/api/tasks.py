"""Celery discovers tasks in `<app>.tasks`."""

from .webhooks.tasks import settle_failed_webhooks

__all__ = ["settle_failed_webhooks"]
