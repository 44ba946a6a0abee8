"""The typed transition log: one row per transition, written by `_apply` with its audit event."""

import importlib

from django.apps import apps

from workinfrance.core.events import event_record
from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State, Transition
from workinfrance.dossiers.models import DossierTransition

from tests.dossiers.helpers import dossier_in_state
from tests.factories import complete_draft, supervisor_of

backfill = importlib.import_module("workinfrance.dossiers.migrations.0005_transition_log").backfill


def test_each_transition_writes_one_typed_row_with_its_event(applicant, paris, agent):
    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    services.dossier_take(dossier=dossier, actor=agent)
    supervisor = supervisor_of(paris)
    services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    services.dossier_refuse(dossier=dossier, actor=agent, reason="hours", comment="")
    rows = list(DossierTransition.objects.filter(dossier=dossier).select_related("event"))
    assert [(r.transition, r.from_state, r.to_state, r.actor) for r in rows] == [
        (Transition.SUBMIT, State.DRAFT, State.SUBMITTED, applicant),
        (Transition.TAKE, State.SUBMITTED, State.IN_REVIEW, agent),
        (Transition.ASSIGN, State.IN_REVIEW, State.IN_REVIEW, supervisor),
        (Transition.REFUSE, State.IN_REVIEW, State.REFUSED, agent),
    ]
    for row in rows:
        assert row.event.verb == f"dossier.{row.transition}"
        assert row.at == row.event.created_at
        assert row.event.data["from"] == row.from_state and row.event.data["to"] == row.to_state


def test_assigning_a_submitted_dossier_moves_it_into_review_through_the_table(applicant, paris, agent):
    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris, documents=False)
    supervisor = supervisor_of(paris)
    services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    assert (dossier.state, dossier.assignee) == (State.IN_REVIEW, agent)
    row = DossierTransition.objects.filter(dossier=dossier).last()
    assert (row.transition, row.from_state, row.to_state) == (
        Transition.ASSIGN,
        State.SUBMITTED,
        State.IN_REVIEW,
    )


def test_refused_transitions_write_nothing(applicant, paris, agent):
    dossier = dossier_in_state(
        State.ACCEPTED, applicant=applicant, unit=paris, assignee=agent, documents=False
    )
    before = DossierTransition.objects.count(), Event.objects.count()
    supervisor = supervisor_of(paris)
    try:
        services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    except services.TransitionNotAllowed:
        pass
    else:
        raise AssertionError("a decided dossier cannot be assigned")
    assert (DossierTransition.objects.count(), Event.objects.count()) == before


def test_the_migration_backfills_the_log_from_the_events(applicant, paris, agent):
    dossier = dossier_in_state(State.DRAFT, applicant=applicant, documents=False)
    written = [
        event_record(
            actor=applicant, verb="dossier.submit", target=dossier, data={"from": "draft", "to": "submitted"}
        ),
        event_record(
            actor=agent, verb="dossier.take", target=dossier, data={"from": "submitted", "to": "in_review"}
        ),
        event_record(
            actor=agent, verb="dossier.note", target=dossier, data={"to": "refused"}
        ),  # not a transition
        event_record(actor=agent, verb="dossier.accept", target=dossier, data={"permit": "x"}),  # no states
    ]
    backfill(apps, None)
    backfill(apps, None)  # idempotent
    rows = list(DossierTransition.objects.filter(dossier=dossier).order_by("event_id"))
    assert [(r.event_id, r.transition, r.from_state, r.to_state, r.actor_id) for r in rows] == [
        (written[0].pk, "submit", "draft", "submitted", applicant.pk),
        (written[1].pk, "take", "submitted", "in_review", agent.pk),
    ]
    assert [r.at for r in rows] == [written[0].created_at, written[1].created_at]
