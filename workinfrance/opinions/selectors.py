"""Reads of opinions: the request behind a link, what the link may show, the dossier screen's list."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.dossiers.models import Document, Dossier

from .models import SECTION_FIELDS, OpinionRequest, OpinionStatus, SharedSection
from .services import token_digest

TOKEN_LENGTH = 64


class LinkState(enum.Enum):
    OPEN = "open"  # pending, before expiry: the shared data, documents and the answer form
    ANSWERED = "answered"  # the answer, read-only; nothing of the dossier
    ENDED = "ended"  # cancelled or expired: nothing at all


def opinion_for_token(token: str) -> OpinionRequest | None:
    """The request a link's token opens, or None (unknown, malformed)."""
    if len(token) != TOKEN_LENGTH or not all(ch in "0123456789abcdef" for ch in token):
        return None
    return (
        OpinionRequest.objects.select_related("dossier", "dossier__unit", "requested_by")
        .filter(token_hash=token_digest(token))
        .first()
    )


def link_state(opinion: OpinionRequest) -> LinkState:
    if opinion.status == OpinionStatus.CANCELLED or opinion.expires_at <= timezone.now():
        return LinkState.ENDED
    if opinion.status == OpinionStatus.ANSWERED:
        return LinkState.ANSWERED
    return LinkState.OPEN


def shared_document(opinion: OpinionRequest, document_id: int) -> Document | None:
    """A document of the request's dossier that the agent chose to share with this expert, or None."""
    return opinion.documents.filter(pk=document_id, dossier_id=opinion.dossier_id).first()


@dataclass(frozen=True)
class Line:
    label: str
    value: object


def _display(dossier: Dossier, name: str) -> object:
    field = Dossier._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(dossier, f"get_{name}_display")()
    value = getattr(dossier, name)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return value


def shared_sections(opinion: OpinionRequest) -> list[tuple[str, list[Line]]]:
    """The sections of the dossier's data the agent shared, in the form's order."""
    dossier = opinion.dossier
    return [
        (
            str(section.label),
            [
                Line(
                    str(getattr(Dossier._meta.get_field(name), "verbose_name", name)), _display(dossier, name)
                )
                for name in SECTION_FIELDS[section]
            ],
        )
        for section in SharedSection
        if section.value in opinion.sections
    ]


def opinions_of(dossier: Dossier) -> QuerySet[OpinionRequest]:
    """The dossier screen's list: every request with its agent and shared documents (2 queries)."""
    return (
        OpinionRequest.objects.filter(dossier=dossier)
        .select_related("requested_by")
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )
