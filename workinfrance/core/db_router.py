"""Reads of statistics and exports from a read replica, when one is configured (DATABASE_REPLICA_URL).

Those pages scan many rows and tolerate a few seconds of replication lag; everything else (every
write, every read that decides a write, `select_for_update`) stays on the primary. A view opts in
around the reads (`replica_reads()`, `streamed_from_replica()` for a streamed export), after its
access checks; code that reads in order to write (the statistics catch-up) opts out with
`primary_reads()`. Without a replica every read goes to the primary, as before."""

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"
_reads_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_on_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def _reads(on_replica: bool):
    token = _reads_on_replica.set(on_replica)
    try:
        yield
    finally:
        _reads_on_replica.reset(token)


def replica_reads():
    return _reads(True)


def primary_reads():
    return _reads(False)


def streamed_from_replica(content):
    """A streamed response's content, whose rows are read while it is sent, read from the replica."""
    with replica_reads():
        yield from content


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reads_on_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None  # the primary ("default")

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # its schema comes from the primary by replication
