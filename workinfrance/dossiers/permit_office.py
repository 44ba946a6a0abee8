"""The one interface between dossiers and permits.

Permits sit on top of dossiers: the permits app may use what this module offers about dossiers,
and the dossiers app never imports the permits app (a test over the import graph keeps it so).
A decision that concerns permits is delegated to the `PermitOffice` the permits app registers at
start-up (`PermitsConfig.ready`): accepting a dossier issues its permit, reopening a decision
revokes its permits, refusing it issues the signed decision letter (the permits app signs the
service's documents); all run inside the transition's transaction, under its row lock.

The other way, the permits app tells the dossier's applicant of a revocation through
`permit_revoked_notify` (the dossiers' e-mails).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

from . import notifications
from .selectors import dossiers_visible_to
from .terms import PermitTerms

if TYPE_CHECKING:
    from workinfrance.accounts.models import User

    from .models import Dossier

# `Dossier` is offered for type annotations only (permits never load the dossiers' models).
__all__ = [
    "Dossier",
    "PermitOffice",
    "PermitTerms",
    "dossiers_visible_to",
    "permit_office",
    "permit_office_register",
    "permit_revoked_notify",
    "refusal_reason_label",
]


class PermitOffice(Protocol):
    def issue(self, *, dossier: Dossier, actor: User, terms: PermitTerms) -> str:
        """Issue and seal the permit of `dossier`, being accepted; returns its number."""
        ...

    def revoke_all(self, *, dossier: Dossier, actor: User, reason: str) -> list[str]:
        """Revoke every permit of `dossier` in force (its decision is reopened); their numbers."""
        ...

    def refusal_letter(self, *, dossier: Dossier, actor: User) -> int:
        """The signed decision letter of `dossier`, being refused (PDF after commit); its id."""
        ...

    def is_revoked(self, *, dossier: Dossier) -> bool:
        """Whether the latest permit of `dossier` was revoked (it is then not renewed)."""
        ...


_registered: list[PermitOffice] = []


def permit_office_register(office: PermitOffice) -> None:
    """Called once by the permits app; a second registration replaces the first (tests)."""
    _registered[:] = [office]


def permit_office() -> PermitOffice:
    if not _registered:
        raise ImproperlyConfigured("No permit office registered: is workinfrance.permits installed?")
    return _registered[0]


def permit_revoked_notify(*, dossier: Dossier, letter_id: int, number: str, reason: str) -> None:
    """Called by the permits app inside the revocation's transaction: the applicant's side is told why."""
    notifications.permit_revoked(dossier=dossier, letter_id=letter_id, number=number, reason=reason)


def refusal_reason_label(dossier: Dossier) -> str:
    """The refusal reason of `dossier` as the applicant reads it, in the active language."""
    return str(dossier.get_refusal_reason_display()) if dossier.refusal_reason else ""
