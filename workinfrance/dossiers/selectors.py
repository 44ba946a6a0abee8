"""Who may see which dossiers: the one place that scopes every read."""

from django.db.models import QuerySet
from django.http import Http404

from .lifecycle import State, user_unit_ids
from .models import Dossier


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """Applicants see the dossiers they filed; staff see their units' dossiers once submitted.

    Administrators manage the service, not files: they see none here (the Django admin is theirs).
    """
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    if user.is_agent:
        return Dossier.objects.filter(unit_id__in=user_unit_ids(user)).exclude(state=State.DRAFT)
    if user.is_applicant:
        return Dossier.objects.filter(applicant=user)
    return Dossier.objects.none()


def dossier_get_for_user(*, user, **lookup) -> Dossier:
    """The dossier if `user` may see it, else 404 (never 403: do not confirm that it exists)."""
    dossier = (
        dossiers_visible_to(user)
        .select_related("category", "department", "unit", "assignee")
        .filter(**lookup)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier
