"""Every (state, transition, role): exactly the allowed ones succeed; the others raise and change nothing.

The expectations below are written out from DESIGN §3 on purpose, not derived from lifecycle.TRANSITIONS."""

import itertools

import pytest

from workinfrance.accounts.models import Role
from workinfrance.dossiers import services
from workinfrance.dossiers.errors import ActorNotAllowed, TransitionNotAllowed
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier, RefusalReason

from tests.dossiers.helpers import dossier_in_state, events_of
from tests.factories import UserFactory, agent_of, supervisor_of

ROLES = (
    "owner",
    "other_applicant",
    "assignee",
    "unit_agent",
    "unit_supervisor",
    "other_unit_agent",
    "other_unit_supervisor",
    "administrator",
)
STAFF_OF_UNIT = {"assignee", "unit_agent", "unit_supervisor"}
REVIEWERS = {"assignee", "unit_supervisor"}

# transition -> (states it starts from, roles that may do it, resulting state)
EXPECTED = {
    "submit": ({State.DRAFT}, {"owner"}, State.SUBMITTED),
    "take": ({State.SUBMITTED}, STAFF_OF_UNIT, State.IN_REVIEW),
    "request_complements": ({State.IN_REVIEW}, REVIEWERS, State.AWAITING_COMPLEMENTS),
    # Back in review with the agent who asked (issue 15), not in the unit's "to take" queue.
    "resubmit": ({State.AWAITING_COMPLEMENTS}, {"owner"}, State.IN_REVIEW),
    "accept": ({State.IN_REVIEW}, REVIEWERS, State.ACCEPTED),
    "refuse": ({State.IN_REVIEW}, REVIEWERS, State.REFUSED),
    "close": ({State.IN_REVIEW, State.AWAITING_COMPLEMENTS}, REVIEWERS, State.CLOSED),
    "reopen": ({State.ACCEPTED, State.REFUSED, State.CLOSED}, {"unit_supervisor"}, State.IN_REVIEW),
}
# Submitting what is already submitted is a double click, not an error: nothing happens.
IDEMPOTENT = {("submit", State.SUBMITTED), ("resubmit", State.IN_REVIEW)}


def perform(transition, dossier, actor):
    if transition == "submit":
        return services.dossier_submit(dossier=dossier, actor=actor)
    if transition == "take":
        return services.dossier_take(dossier=dossier, actor=actor)
    if transition == "request_complements":
        types = list(dossier.category.document_types.filter(code="passport"))
        return services.dossier_request_complements(
            dossier=dossier, actor=actor, document_types=types, message="Passeport illisible."
        )
    if transition == "resubmit":
        return services.dossier_resubmit(dossier=dossier, actor=actor)
    if transition == "accept":
        return services.dossier_accept(
            dossier=dossier, actor=actor, terms=services.permit_terms_proposed(dossier)
        )
    if transition == "refuse":
        return services.dossier_refuse(dossier=dossier, actor=actor, reason=RefusalReason.HOURS, comment="")
    if transition == "close":
        return services.dossier_close(dossier=dossier, actor=actor, comment="Sans nouvelles.")
    if transition == "reopen":
        return services.dossier_reopen(dossier=dossier, actor=actor, reason="Erreur matérielle.")
    raise AssertionError(transition)


def make_actor(role, *, owner, paris, lyon, assignee):
    return {
        "owner": lambda: owner,
        "other_applicant": lambda: UserFactory(),
        "assignee": lambda: assignee,
        "unit_agent": lambda: agent_of(paris),
        "unit_supervisor": lambda: supervisor_of(paris),
        "other_unit_agent": lambda: agent_of(lyon),
        "other_unit_supervisor": lambda: supervisor_of(lyon),
        "administrator": lambda: UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }[role]()


def expected_error(transition, state, role):
    sources, roles, _target = EXPECTED[transition]
    # Before submission no unit is set: staff have no relation to a draft at all.
    related = role in roles and not (state == State.DRAFT and role in STAFF_OF_UNIT)
    if not related:
        return ActorNotAllowed
    if state not in sources:
        return TransitionNotAllowed
    return None


@pytest.mark.parametrize(
    ("state", "transition", "role"), list(itertools.product(State.values, EXPECTED, ROLES))
)
def test_transition_matrix(state, transition, role, paris, lyon):
    owner = UserFactory()
    assignee = agent_of(paris) if state != State.DRAFT else None
    dossier = dossier_in_state(
        state,
        applicant=owner,
        unit=paris if state != State.DRAFT else None,
        assignee=assignee,
        documents=transition in {"submit", "resubmit"},  # only these check completeness
    )
    actor = make_actor(role, owner=owner, paris=paris, lyon=lyon, assignee=assignee)
    before_events = events_of(dossier)
    error = expected_error(transition, state, role)

    if error is None:
        perform(transition, dossier, actor)
        dossier.refresh_from_db()
        assert dossier.state == EXPECTED[transition][2]
        assert events_of(dossier)[len(before_events) :] == [f"dossier.{transition}"]
    elif (transition, state) in IDEMPOTENT and role == "owner":
        perform(transition, dossier, actor)
        assert Dossier.objects.get(pk=dossier.pk).state == state
        assert events_of(dossier) == before_events
    else:
        with pytest.raises(error) as raised:
            perform(transition, dossier, actor)
        assert type(raised.value) is error
        assert raised.value.message
        assert Dossier.objects.get(pk=dossier.pk).state == state
        assert events_of(dossier) == before_events
