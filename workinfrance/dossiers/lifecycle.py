"""The dossier lifecycle: the one table of states and allowed transitions (DESIGN §3).

Services in `services.py` are the only code that changes a state; each one asks this table
first. Who may act is expressed as actor kinds, resolved against the dossier by `actor_kinds`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    IN_REVIEW = "in_review", _("En cours d'instruction")
    AWAITING_COMPLEMENTS = "awaiting_complements", _("Compléments demandés")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")


DECIDED_STATES = frozenset({State.ACCEPTED, State.REFUSED, State.CLOSED})
# States in which the applicant may edit the file's data and documents.
EDITABLE_STATES = frozenset({State.DRAFT, State.AWAITING_COMPLEMENTS})


class Transition(models.TextChoices):
    SUBMIT = "submit", _("Déposer")
    TAKE = "take", _("Prendre en charge")
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
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]


def _rule(sources, target, actors) -> Rule:
    return Rule(frozenset(sources), target, frozenset(actors))


_REVIEWERS = {Actor.ASSIGNEE, Actor.UNIT_SUPERVISOR}

TRANSITIONS: dict[Transition, Rule] = {
    Transition.SUBMIT: _rule({State.DRAFT}, State.SUBMITTED, {Actor.OWNER}),
    Transition.TAKE: _rule({State.SUBMITTED}, State.IN_REVIEW, {Actor.UNIT_AGENT, Actor.UNIT_SUPERVISOR}),
    Transition.REQUEST_COMPLEMENTS: _rule({State.IN_REVIEW}, State.AWAITING_COMPLEMENTS, _REVIEWERS),
    Transition.RESUBMIT: _rule({State.AWAITING_COMPLEMENTS}, State.SUBMITTED, {Actor.OWNER}),
    Transition.ACCEPT: _rule({State.IN_REVIEW}, State.ACCEPTED, _REVIEWERS),
    Transition.REFUSE: _rule({State.IN_REVIEW}, State.REFUSED, _REVIEWERS),
    # An applicant who never answers a complement request can be closed without action too.
    Transition.CLOSE: _rule({State.IN_REVIEW, State.AWAITING_COMPLEMENTS}, State.CLOSED, _REVIEWERS),
    Transition.REOPEN: _rule(DECIDED_STATES, State.IN_REVIEW, {Actor.UNIT_SUPERVISOR}),
}


def actor_kinds(dossier, user) -> set[Actor]:
    """Every way `user` relates to `dossier`; empty for a stranger."""
    kinds: set[Actor] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return kinds
    if dossier.applicant_id == user.pk:
        kinds.add(Actor.OWNER)
    if user.is_agent and dossier.unit_id is not None and dossier.unit_id in user_unit_ids(user):
        kinds.add(Actor.UNIT_AGENT)
        if dossier.assignee_id == user.pk:
            kinds.add(Actor.ASSIGNEE)
        if user.is_supervisor:
            kinds.add(Actor.UNIT_SUPERVISOR)
    return kinds


def user_unit_ids(user) -> frozenset[int]:
    """The units of a staff member, cached on the user object for the request."""
    cached = getattr(user, "_unit_ids_cache", None)
    if cached is None:
        cached = frozenset(user.units.values_list("pk", flat=True))
        user._unit_ids_cache = cached
    return cached


def allowed_transitions(dossier, user) -> list[Transition]:
    kinds = actor_kinds(dossier, user)
    return [
        transition
        for transition, rule in TRANSITIONS.items()
        if dossier.state in rule.sources and kinds & rule.actors
    ]
