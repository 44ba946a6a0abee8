"""Who may own API tokens and webhooks, and which dossiers an owner sees (one home for the rule)."""

from django.db.models import Q, QuerySet

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier, FilerKind
from workinfrance.territories.models import Unit

from .models import OwnerKind


def units_managed_by(user) -> QuerySet[Unit]:
    """A supervisor manages the API access of their units; nobody else does."""
    if not (user.is_authenticated and user.is_active and user.is_supervisor):
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=user_unit_ids(user)).order_by("name")


def employer_sirets(user) -> list[str]:
    """The organisations an employer account answers for: the SIRETs of the dossiers it filed itself,
    as the employer, that a unit accepted (an agent checked the employer's signed and stamped form).

    No self-declared SIRET: naming a SIRET in a draft must not open that company's dossiers.
    When ProConnect provides the account's SIRET, this is the one function to extend."""
    if not (user.is_authenticated and user.is_active and user.is_applicant):
        return []
    return sorted(
        set(
            Dossier.objects.filter(applicant=user, filer_kind=FilerKind.EMPLOYER, state=State.ACCEPTED)
            .exclude(employer_siret="")
            .values_list("employer_siret", flat=True)
        )
    )


def owner_still_allowed(owned) -> bool:
    """A token or webhook works only while its creator still answers for its owner."""
    creator = owned.created_by
    if owned.owner_kind == OwnerKind.UNIT:
        return units_managed_by(creator).filter(pk=owned.unit_id).exists()
    return owned.employer_id == creator.pk and owned.employer_siret in employer_sirets(creator)


def dossiers_of_owner(owned) -> QuerySet[Dossier]:
    """A unit's submitted dossiers (exactly the inbox's scope), or the employer's: those its account
    filed and those naming its SIRET."""
    if owned.owner_kind == OwnerKind.UNIT:
        return Dossier.objects.filter(unit_id=owned.unit_id).exclude(state=State.DRAFT)
    return Dossier.objects.exclude(state=State.DRAFT).filter(
        Q(applicant_id=owned.employer_id) | Q(employer_siret=owned.employer_siret)
    )


def owners_of_dossier_filter(dossier: Dossier) -> Q:
    """The owners (token or webhook rows) who see `dossier`: the mirror of `dossiers_of_owner`."""
    unit = Q(owner_kind=OwnerKind.UNIT, unit_id=dossier.unit_id)
    employer = Q(owner_kind=OwnerKind.EMPLOYER) & (
        Q(employer_id=dossier.applicant_id)
        | (Q(employer_siret=dossier.employer_siret) if dossier.employer_siret else Q(pk__in=[]))
    )
    return unit | employer
