"""Dossiers brought to a given state as test setup, through the lifecycle's own transition function.

`dossier_in_state` plays the shortest path of `lifecycle.TRANSITIONS` from the draft to the state
asked, each step through `services.dossier_transition_seed` (table, row lock, event, log), with the
setup's own side effects (no permit, no e-mail). Staff steps are taken by a setup supervisor of the
unit, who leaves the unit afterwards, so that the unit's people are the test's own.
"""

import datetime
from collections import deque
from contextlib import contextmanager
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from workinfrance.accounts.models import Role
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import (
    DECIDED_STATES,
    INITIAL_STATE,
    TRANSITIONS,
    Actor,
    State,
    Transition,
)
from workinfrance.dossiers.models import ComplementRequest, Dossier, Message, RefusalReason
from workinfrance.dossiers.services import dossier_transition_seed

from tests.factories import DossierFactory, UserFactory, attach_required_documents


def path_to(state: State) -> list[Transition]:
    """The shortest list of transitions from the draft to `state` (assignment aside)."""
    paths = {INITIAL_STATE: []}
    queue = deque([INITIAL_STATE])
    while queue:
        current = queue.popleft()
        for transition, rule in TRANSITIONS.items():
            if transition == Transition.ASSIGN or current not in rule.sources:
                continue
            target = rule.target_from(current)
            if target not in paths:
                paths[target] = [*paths[current], transition]
                queue.append(target)
    return paths[State(state)]


@contextmanager
def clock(moment: datetime.datetime | None):
    """Everything that asks Django for the time (services, auto_now_add) gets `moment`."""
    if moment is None:
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _setup_change(transition: Transition, *, unit, assignee, author):
    def change(dossier: Dossier) -> dict:
        now = timezone.now()
        if transition == Transition.SUBMIT:
            dossier.unit, dossier.assignee = unit, assignee
            dossier.number = f"WIF-2026-{dossier.department_id}-{dossier.pk:06d}"
            dossier.first_submitted_at = dossier.first_submitted_at or now
        if transition in (Transition.SUBMIT, Transition.RESUBMIT):
            dossier.submitted_at = now
        if transition == Transition.TAKE:
            dossier.assignee = assignee
        if TRANSITIONS[transition].targets <= DECIDED_STATES:
            dossier.decided_at = now
        if transition == Transition.REFUSE:
            dossier.refusal_reason = RefusalReason.HOURS
        if transition == Transition.REOPEN:
            dossier.decided_at, dossier.refusal_reason = None, ""
        if transition == Transition.REQUEST_COMPLEMENTS:
            message = Message.objects.create(
                dossier=dossier,
                author=assignee or author,
                from_staff=True,
                body="Merci d'ajouter le passeport.",
            )
            request = ComplementRequest.objects.create(dossier=dossier, message=message)
            request.document_types.set(dossier.category.document_types.filter(code="passport"))
        return {}

    return change


def play(dossier: Dossier, steps, *, unit=None, assignee=None) -> Dossier:
    """Apply `(moment or None, transition)` steps through `dossier_transition_seed`, each dated
    `moment`; staff steps are taken by a setup supervisor who leaves the unit afterwards."""
    unit = unit or dossier.unit
    steps = [(moment, Transition(step)) for moment, step in steps]
    staff = None
    if any(Actor.OWNER not in TRANSITIONS[transition].actors for _, transition in steps):
        staff = UserFactory(role=Role.SUPERVISOR, units=[unit])
    try:
        for moment, transition in steps:
            actor = dossier.applicant if Actor.OWNER in TRANSITIONS[transition].actors else staff
            change = _setup_change(transition, unit=unit, assignee=assignee, author=staff)
            with clock(moment):
                dossier_transition_seed(dossier=dossier, actor=actor, transition=transition, change=change)
    finally:
        if staff is not None:
            staff.units.clear()
            staff.is_active = False
            staff.save(update_fields=["is_active"])
    dossier.refresh_from_db()
    return dossier


def dossier_in_state(state, *, applicant, unit=None, assignee=None, documents=True, **fields) -> Dossier:
    dossier = DossierFactory(applicant=applicant, **fields)
    if documents:
        attach_required_documents(dossier)
    return play(dossier, [(None, transition) for transition in path_to(state)], unit=unit, assignee=assignee)


def events_of(dossier) -> list[str]:
    return list(
        Event.objects.filter(target_type="dossiers.dossier", target_id=str(dossier.pk)).values_list(
            "verb", flat=True
        )
    )


def upload(content: bytes, name: str = "piece.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
