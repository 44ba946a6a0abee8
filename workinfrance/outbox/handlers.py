"""Who delivers each kind of outgoing message.

A handler takes the `OutboxMessage` and delivers it, or raises: any exception means "try again
later" (with backoff), `OutboxGiveUp` means "never retry" (e.g. the receiver answered that the
request itself is wrong). A handler must not write to the database: it runs inside the
transaction that marks the row sent, and that transaction may roll back after the message left.
"""

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from workinfrance.core.emails import send_service_email

if TYPE_CHECKING:
    from .models import OutboxMessage

# A handler delivers one message, or raises.
Handler = Callable[["OutboxMessage"], Any]
HANDLERS: dict[str, Handler] = {}


class OutboxGiveUp(Exception):
    """Raised by a handler when retrying cannot succeed: the message is marked failed at once."""


def outbox_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of `kind` (one handler per kind)."""

    def register(function: Handler) -> Handler:
        existing = HANDLERS.get(kind)
        if existing is not None and existing is not function:
            raise RuntimeError(f"Outbox kind {kind!r} already has a handler: {existing!r}")
        HANDLERS[kind] = function
        return function

    return register


def handler_for(kind: str) -> Callable:
    try:
        return HANDLERS[kind]
    except KeyError:
        raise LookupError(f"No outbox handler for kind {kind!r}; known: {sorted(HANDLERS)}") from None


def email_message_id(idempotency_key: str) -> str:
    """The same Message-ID for every delivery attempt: a mail system can drop a redelivered copy."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@outbox.workinfrance>"


@outbox_handler("email")
def deliver_email(message) -> None:
    payload = message.payload
    send_service_email(
        to=payload["to"],
        subject=payload["subject"],
        body=payload["body"],
        headers={"Message-ID": email_message_id(message.idempotency_key)},
    )
