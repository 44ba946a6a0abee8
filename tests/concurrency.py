"""Making races happen: threads that meet *inside* the transition, after reading the dossier row.

`met_after_the_read(n)` makes `services._apply` wait, right after it has read (and, normally,
locked) the dossier, until `n` threads have read it too, or `timeout` seconds have passed. With
the row lock, the others cannot read before the first commits: the wait times out and the
transitions run one after the other. Without it, all of them read the same state and proceed
together: the race the lock exists to prevent really happens, and the tests that use this fail.
"""

import threading
from contextlib import contextmanager, suppress
from unittest import mock

from workinfrance.dossiers import services


@contextmanager
def met_after_the_read(parties: int, timeout: float = 3.0):
    barrier = threading.Barrier(parties)
    real = services.actor_kinds

    def actor_kinds_then_meet(dossier, user):
        kinds = real(dossier, user)
        # Broken: the others are waiting for the row lock; go on alone.
        with suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=timeout)
        return kinds

    with mock.patch.object(services, "actor_kinds", actor_kinds_then_meet):
        yield barrier
