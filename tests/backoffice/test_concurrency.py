"""Two agents deciding one dossier at the same moment: exactly one decision, the other is told."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from workinfrance.core.events import events_for
from workinfrance.dossiers import services

from tests.backoffice.conftest import filed, in_review
from tests.concurrency import met_after_the_read
from tests.factories import UnitFactory, agent_of, supervisor_of


def decide_together(dossier, requests):
    """Each (user, action, data) posts from its own thread and database connection, released together,
    and meeting again inside the transition after reading the row (a race, were it not locked)."""
    barrier = threading.Barrier(len(requests))
    outcomes = [None] * len(requests)

    def run(index, user, name, data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            response = client.post(
                reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": name}), data
            )
            outcomes[index] = [m.level_tag for m in get_messages(response.wsgi_request)]
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    with met_after_the_read(len(requests)):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return outcomes


# Real transactions (each thread has its own connection); seeded departments and categories are
# restored after each flush by serialized_rollback.
CONCURRENT_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.postgres
@CONCURRENT_DB
@pytest.mark.parametrize("round_", range(3))
def test_two_decisions_at_once_make_one(round_):
    unit = UnitFactory(department_codes=["75"])
    agent, supervisor = agent_of(unit), supervisor_of(unit)
    dossier = in_review(agent=agent)
    terms = services.permit_terms_proposed(dossier)
    outcomes = decide_together(
        dossier,
        [
            (
                agent,
                "accept",
                {
                    "accept-validity_start": terms.validity_start.isoformat(),
                    "accept-validity_end": terms.validity_end.isoformat(),
                    "accept-weekly_hours": str(terms.weekly_hours),
                },
            ),
            (supervisor, "refuse", {"refuse-reason": "hours", "refuse-comment": "Trop d'heures."}),
        ],
    )
    assert sorted(outcomes) == [["error"], ["success"]]
    dossier.refresh_from_db()
    decisions = events_for(dossier).filter(verb__in=["dossier.accept", "dossier.refuse"])
    assert decisions.count() == 1
    winner = decisions.get().verb
    assert dossier.state == {"dossier.accept": "accepted", "dossier.refuse": "refused"}[winner]
    assert dossier.permits.count() == (1 if winner == "dossier.accept" else 0)


@pytest.mark.postgres
@CONCURRENT_DB
def test_two_agents_taking_at_once():
    unit = UnitFactory(department_codes=["75"])
    first, second = agent_of(unit), agent_of(unit)
    dossier = filed()
    outcomes = decide_together(dossier, [(first, "take", {}), (second, "take", {})])
    assert sorted(outcomes) == [["error"], ["success"]]
    assert events_for(dossier).filter(verb="dossier.take").count() == 1
    dossier.refresh_from_db()
    assert dossier.assignee in (first, second)
