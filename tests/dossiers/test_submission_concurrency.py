"""Submissions and decisions racing on PostgreSQL row locks: the threads start together
(`threading.Barrier`) and meet again inside the transition, after reading the row
(`met_after_the_read`), so that without the row lock they would all act on the same state.

Transactional tests live in files of their own: their database flush must run after the other
tests of a test process (pytest-django orders them last; a file's tests travel together)."""

import threading

import pytest

from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State

from tests.concurrency import met_after_the_read
from tests.dossiers.helpers import events_of
from tests.factories import complete_draft


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows
def test_concurrent_submissions_file_once(applicant, paris):
    """Two tabs submitting at the same instant: the row lock lets one through, the other sees it filed."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    dossier = complete_draft(applicant=applicant)
    start = threading.Barrier(4)

    def submit():
        try:
            stale = type(dossier).objects.get(pk=dossier.pk)
            start.wait(timeout=10)
            services.dossier_submit(dossier=stale, actor=applicant)
        finally:
            connection.close()

    with met_after_the_read(4), ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(submit) for _ in range(4)]:
            future.result()
    dossier.refresh_from_db()
    assert dossier.number.endswith("-000001")
    assert events_of(dossier).count("dossier.submit") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows
def test_two_deciders_at_once_yield_one_decision(applicant, paris, agent, supervisor):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tests.dossiers.helpers import dossier_in_state

    dossier = dossier_in_state(
        State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent, documents=False
    )

    start = threading.Barrier(2)

    def decide(kind):
        fresh = type(dossier).objects.get(pk=dossier.pk)
        try:
            start.wait(timeout=10)
            if kind == "accept":
                services.dossier_accept(
                    dossier=fresh, actor=agent, terms=services.permit_terms_proposed(fresh)
                )
            else:
                services.dossier_refuse(dossier=fresh, actor=supervisor, reason="hours", comment="")
            return "ok"
        except services.TransitionNotAllowed:
            return "refused"
        finally:
            connection.close()

    with met_after_the_read(2), ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(decide, ["accept", "refuse"]))
    assert outcomes == ["ok", "refused"]
    decisions = [v for v in events_of(dossier) if v in {"dossier.accept", "dossier.refuse"}]
    assert len(decisions) == 1
