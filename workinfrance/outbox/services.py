"""Transactional outbox: messages promised by a state change are never lost, and never sent twice.

Why: a message sent from an `on_commit` hook is lost if the broker is down at that moment, and a
message sent inside the transaction goes out even when the transaction rolls back. Instead, the
message is a row written in the same transaction as the change; a worker delivers it afterwards.

API (for e-mails, webhooks and anything else sent because something happened)

``outbox_enqueue(*, kind, payload, idempotency_key) -> OutboxMessage``
    Call it INSIDE the transaction that makes the change (it refuses to run outside one). It
    writes the row; after commit it queues the delivery task. A broker outage then costs only
    delay: the periodic sweep queues what is still pending. If the transaction rolls back, the
    message never existed. A second call with the same `idempotency_key` returns the first row
    and queues nothing: build the key from what makes the message unique, e.g.
    ``f"webhook:{endpoint.pk}:{event.pk}"``. `payload` must be JSON; it should hold what the
    handler needs to send, rendered now (the state it reports), not references to re-read later.

``outbox_email(*, to, subject, body, idempotency_key) -> OutboxMessage``
    `outbox_enqueue` for one e-mail (kind ``"email"``), keyed per recipient: the key becomes
    ``email:<idempotency_key>:<to>``. The legal notice is added at sending
    (`core.emails.send_service_email`); every attempt carries the same Message-ID.

``@outbox_handler(kind)`` (in `workinfrance.outbox.handlers`)
    Registers the function that delivers one kind: ``handler(message)`` gets the
    `OutboxMessage` (payload, idempotency_key, attempts, created_at). Returning means delivered;
    any exception means retry with backoff; `OutboxGiveUp` means never retry. Register from your
    app's ``AppConfig.ready()`` so workers know the kind. A webhook handler would sign
    ``message.payload`` and send ``webhook-id: message.idempotency_key``.

``outbox_deliver(*, message_id) -> Outcome``
    What the worker task runs: delivers one pending row under a row lock (two workers never
    send the same row at once), marks it sent in the same transaction, or records the error, the
    attempt count and the next attempt time (exponential backoff, `WIF_OUTBOX_RETRY_*`). After
    `WIF_OUTBOX_MAX_ATTEMPTS` the row is marked failed and logged as an error; the admin can
    queue it again.

``outbox_sweep(*, limit) -> int``
    Periodic (Celery beat, every `WIF_OUTBOX_SWEEP_SECONDS`), at worker start and by
    ``manage.py outbox_sweep``: queues every pending row whose `next_attempt_at` has passed.

Guarantee: at least once. A row is marked sent in the transaction that delivered it, so a
retry after success is skipped; the only duplicate left is a crash between the receiver's
acceptance and our commit, which the receiver can recognise by the idempotency key.
"""

import enum
import logging
import random
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .handlers import OutboxGiveUp, handler_for
from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
ERROR_MAX_LENGTH = 2000


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # failed, will be tried again at next_attempt_at
    FAILED = "failed"  # gave up
    SKIPPED = "skipped"  # already sent, given up, or being delivered by another worker


def outbox_enqueue(*, kind: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue belongs inside the transaction of the change it reports.")
    handler_for(kind)  # an unknown kind fails now, with the change, not later in a worker
    now = timezone.now()
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "kind": kind,
            "payload": payload,
            "created_at": now,
            # The task queued after commit should deliver it well before the sweep looks at it.
            "next_attempt_at": now + timedelta(seconds=settings.WIF_OUTBOX_DISPATCH_GRACE_SECONDS),
        },
    )
    if created:
        message_id = message.pk
        transaction.on_commit(lambda: outbox_dispatch([message_id]), robust=True)
    return message


def outbox_email(*, to: str, subject: str, body: str, idempotency_key: str) -> OutboxMessage:
    return outbox_enqueue(
        kind="email",
        payload={"to": to, "subject": subject, "body": body},
        idempotency_key=f"email:{idempotency_key}:{to.strip().lower()}",
    )


def outbox_dispatch(message_ids: Collection[int]) -> list[int]:
    """Queue the delivery task of each message; returns those queued. Never raises: with the broker
    down the rows stay pending and the sweep queues them later. Stops at the first failure so a
    dead broker costs one connection timeout, not one per message."""
    from .tasks import deliver_outbox_message

    queued: list[int] = []
    for message_id in message_ids:
        try:
            deliver_outbox_message.delay(message_id=message_id)
        except Exception as error:
            logger.warning(
                "Outbox: could not queue %d message(s) (%s: %s); the sweep will deliver them",
                len(message_ids) - len(queued),
                type(error).__name__,
                error,
            )
            break
        queued.append(message_id)
    return queued


def retry_delay_seconds(attempts: int) -> float:
    """Exponential backoff with a little jitter, so messages failed together are not retried together."""
    base = settings.WIF_OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return float(min(base, settings.WIF_OUTBOX_RETRY_MAX_SECONDS) * random.uniform(1.0, 1.1))


def outbox_deliver(*, message_id: int) -> Outcome:
    """Deliver one message if still pending. Database errors propagate (the caller retries)."""
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status=OutboxStatus.PENDING)
                .first()
            )
            if message is None:
                return Outcome.SKIPPED
            handler_for(message.kind)(message)
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.attempts += 1
            message.last_error = ""
            message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return Outcome.SENT
    except Exception as error:
        return _failure_record(message_id=message_id, error=error)


def _failure_record(*, message_id: int, error: Exception) -> Outcome:
    """In a transaction of its own: the delivery's one rolled back (or its connection is gone)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxStatus.PENDING:
            return Outcome.SKIPPED
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        give_up = isinstance(error, OutboxGiveUp) or message.attempts >= settings.WIF_OUTBOX_MAX_ATTEMPTS
        if give_up:
            message.status = OutboxStatus.FAILED
            logger.error("Outbox %s gave up after %d attempt(s): %s", message, message.attempts, error)
        else:
            delay = retry_delay_seconds(message.attempts)
            message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            logger.warning(
                "Outbox %s attempt %d failed (%s); next in %.0f s", message, message.attempts, error, delay
            )
        message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    return Outcome.FAILED if give_up else Outcome.RETRY


def outbox_sweep(*, limit: int = 500) -> int:
    """Queue the pending messages that are due; returns how many were queued.

    Each queued row gets a lease (its next_attempt_at moves forward) so the next sweep does not queue
    it again while its task waits in line; if the task is lost the lease expires and it is queued again."""
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    lease_end = now + timedelta(seconds=settings.WIF_OUTBOX_DISPATCH_GRACE_SECONDS)
    OutboxMessage.objects.filter(pk__in=due, status=OutboxStatus.PENDING).update(next_attempt_at=lease_end)
    queued = outbox_dispatch(due)
    queued_set = set(queued)
    missed = [pk for pk in due if pk not in queued_set]
    if missed:  # broker down: due again at the next sweep
        OutboxMessage.objects.filter(pk__in=missed, status=OutboxStatus.PENDING).update(next_attempt_at=now)
    return len(queued)


def outbox_requeue(*, message_ids: Collection[int]) -> int:
    """Give failed (or pending) messages a fresh start, now; for the admin after fixing the cause."""
    count = OutboxMessage.objects.filter(
        pk__in=message_ids, status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING]
    ).update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    transaction.on_commit(lambda: outbox_dispatch(list(message_ids)), robust=True)
    return count
