"""The dossier lifecycle: the one table of states, named state sets and allowed transitions (DESIGN §3).

This module is the only one that knows the states: every other module asks for a named set
(`OPEN_STATES`, `DECIDED_STATES`, ...) or for `TRANSITIONS`, never spells a state itself (a test
searches the code base for the state strings). Services in `services.py` are the only code that
changes a state, through `_apply`, which asks this table first. Who may act is expressed as actor
kinds, resolved against the dossier by `actor_kinds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from workinfrance.accounts.selectors import user_unit_ids

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from workinfrance.accounts.models import User


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    IN_REVIEW = "in_review", _("En cours d'instruction")
    AWAITING_COMPLEMENTS = "awaiting_complements", _("Compléments demandés")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")


# --- Named state sets: the only definitions of these groups --------------------------------------

# Filed and waiting for the unit's answer: the legal two-month silence runs, lateness is signalled.
AWAITING_UNIT_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW})
# Filed and not decided: the unit's open workload (also waiting on the applicant's complements).
OPEN_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW, State.AWAITING_COMPLEMENTS})
DECIDED_STATES = frozenset({State.ACCEPTED, State.REFUSED, State.CLOSED})
# States in which the applicant may edit the file's data and documents.
EDITABLE_STATES = frozenset({State.DRAFT, State.AWAITING_COMPLEMENTS})
# Every state but the draft: what the unit sees (a draft belongs to its applicant alone).
FILED_STATES = frozenset(set(State) - {State.DRAFT})
# Open, or accepted (its permit in force): the files whose residence permit still matters.
ACTIVE_STATES = OPEN_STATES | {State.ACCEPTED}
# An accepted dossier may be renewed (a new draft with the same data).
RENEWABLE_STATES = frozenset({State.ACCEPTED})
# Where every dossier starts.
INITIAL_STATE = State.DRAFT


def values(states: Iterable[State]) -> list[str]:
    """Sorted database values of a state set (stable SQL, migrations and index conditions)."""
    return sorted(state.value for state in states)


def ordered(states: Iterable[State]) -> list[State]:
    """A state set in the lifecycle's order (for display: columns, filters)."""
    members = set(states)
    return [state for state in State if state in members]


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Déposer")
    TAKE = "take", _("Prendre en charge")
    ASSIGN = "assign", _("Attribuer")
    REQUEST_COMPLEMENTS = "request_complements", _("Demander des compléments")
    RESUBMIT = "resubmit", _("Renvoyer le dossier complété")
    ACCEPT = "accept", _("Accepter")
    REFUSE = "refuse", _("Refuser")
    CLOSE = "close", _("Classer sans suite")
    REOPEN = "reopen", _("Rouvrir")


class Actor(models.TextChoices):
    """How a user relates to one dossier (a user may be several at once)."""

    OWNER = "owner", _("Demandeur du dossier")
    UNIT_AGENT = "unit_agent", _("Instructeur de l'unité")
    ASSIGNEE = "assignee", _("Instructeur chargé du dossier")
    UNIT_SUPERVISOR = "unit_supervisor", _("Responsable de l'unité")


@dataclass(frozen=True)
class Rule:
    """Where a transition may start, where each start leads, and who may take it."""

    moves: Mapping[State, State]
    actors: frozenset[Actor]

    @property
    def sources(self) -> frozenset[State]:
        return frozenset(self.moves)

    def target_from(self, state: State | str) -> State:
        return self.moves[State(state)]

    @property
    def targets(self) -> frozenset[State]:
        return frozenset(self.moves.values())


def _rule(sources: Iterable[State], target: State, actors: Iterable[Actor]) -> Rule:
    return Rule(MappingProxyType(dict.fromkeys(sources, target)), frozenset(actors))


_REVIEWERS = {Actor.ASSIGNEE, Actor.UNIT_SUPERVISOR}

TRANSITIONS: Mapping[Transition, Rule] = MappingProxyType(
    {
        Transition.SUBMIT: _rule({State.DRAFT}, State.SUBMITTED, {Actor.OWNER}),
        Transition.TAKE: _rule({State.SUBMITTED}, State.IN_REVIEW, {Actor.UNIT_AGENT, Actor.UNIT_SUPERVISOR}),
        # A supervisor gives an open dossier to an agent of the unit. It keeps its state, except a
        # submitted one, which goes into review as if the agent had taken it.
        Transition.ASSIGN: Rule(
            MappingProxyType(
                {
                    State.SUBMITTED: State.IN_REVIEW,
                    State.IN_REVIEW: State.IN_REVIEW,
                    State.AWAITING_COMPLEMENTS: State.AWAITING_COMPLEMENTS,
                }
            ),
            frozenset({Actor.UNIT_SUPERVISOR}),
        ),
        Transition.REQUEST_COMPLEMENTS: _rule({State.IN_REVIEW}, State.AWAITING_COMPLEMENTS, _REVIEWERS),
        # The answered file goes back to the agent who asked (it keeps its assignee), in review: it
        # stays in their "Mes dossiers", marked "complété, à revoir" (`RETURNED_BY`), not "À prendre".
        Transition.RESUBMIT: _rule({State.AWAITING_COMPLEMENTS}, State.IN_REVIEW, {Actor.OWNER}),
        Transition.ACCEPT: _rule({State.IN_REVIEW}, State.ACCEPTED, _REVIEWERS),
        Transition.REFUSE: _rule({State.IN_REVIEW}, State.REFUSED, _REVIEWERS),
        # An applicant who never answers a complement request can be closed without action too.
        Transition.CLOSE: _rule({State.IN_REVIEW, State.AWAITING_COMPLEMENTS}, State.CLOSED, _REVIEWERS),
        Transition.REOPEN: _rule(DECIDED_STATES, State.IN_REVIEW, {Actor.UNIT_SUPERVISOR}),
    }
)
ASSIGNABLE_STATES = TRANSITIONS[Transition.ASSIGN].sources
# A file in review whose last change of state was this transition came back from the applicant with
# the complements asked: "complété, à revoir" for its agent.
RETURNED_BY = Transition.RESUBMIT


def target_of(transition: Transition | str, state: State | str) -> State:
    """Where `transition` leads from `state` (KeyError if it does not start there)."""
    return TRANSITIONS[Transition(transition)].target_from(state)


def states_after(steps: Iterable[Transition | str], start: State = INITIAL_STATE) -> list[State]:
    """The state after each step of a history, played through the table (demo, benches, tests).

    Raises `ValueError` on a step the table does not allow from the state reached."""
    state, reached = start, []
    for step in steps:
        rule = TRANSITIONS[Transition(step)]
        if state not in rule.sources:
            raise ValueError(f"{step} does not start from {state}")
        state = rule.target_from(state)
        reached.append(state)
    return reached


class _DossierLike(Protocol):
    @property
    def applicant_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def state(self) -> str: ...


def _is_accepted_party(dossier: _DossierLike, user: User) -> bool:
    """An invited party who accepted acts as the dossier's applicant (co-applicants, issue 15)."""
    from .models import DossierParty, PartyStatus  # models import this module

    pk = getattr(dossier, "pk", None)
    return pk is not None and (
        DossierParty.objects.filter(dossier_id=pk, user_id=user.pk, status=PartyStatus.JOINED).exists()
    )


def actor_kinds(dossier: _DossierLike, user: User | AnonymousUser | None) -> set[Actor]:
    """Every way `user` relates to `dossier`; empty for a stranger."""
    kinds: set[Actor] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return kinds
    if dossier.applicant_id == user.pk or (user.is_applicant and _is_accepted_party(dossier, user)):
        kinds.add(Actor.OWNER)
    if user.is_agent and dossier.unit_id is not None and dossier.unit_id in user_unit_ids(user):
        kinds.add(Actor.UNIT_AGENT)
        if dossier.assignee_id == user.pk:
            kinds.add(Actor.ASSIGNEE)
        if user.is_supervisor:
            kinds.add(Actor.UNIT_SUPERVISOR)
    return kinds


def allowed_transitions(dossier: _DossierLike, user: User | AnonymousUser | None) -> list[Transition]:
    kinds = actor_kinds(dossier, user)
    return [
        transition
        for transition, rule in TRANSITIONS.items()
        if dossier.state in rule.sources and kinds & rule.actors
    ]
