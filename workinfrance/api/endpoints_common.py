"""Reads shared by the unit and employer endpoints: listing with filters, one dossier, its permit."""

import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema

from workinfrance.backoffice.selectors import FLAGS, UNASSIGNED, InboxQuery, inbox_selection
from workinfrance.dossiers.lifecycle import FILED_STATES, ordered
from workinfrance.permits import pdf
from workinfrance.permits.models import Permit
from workinfrance.procedures.models import Category
from workinfrance.territories.models import Department

from . import representations as rep
from .owners import dossiers_of_owner
from .pagination import MAX_LIMIT, keyset_page
from .problems import Problem

PUBLIC_STATES = tuple(s.value for s in ordered(FILED_STATES))


class ListFilters(Schema):
    """The inbox's filters (DESIGN §1), with a cursor instead of page numbers."""

    tab: Literal["to_take", "mine", "awaiting", "decided", "all"] = "all"
    state: Literal[PUBLIC_STATES] | None = None  # type: ignore[valid-type]
    category: str | None = None
    department: str | None = None
    assignee: str | None = None
    filed_from: datetime.date | None = None
    filed_to: datetime.date | None = None
    flag: Literal[tuple(FLAGS)] | None = None  # type: ignore[valid-type]
    q: str | None = None
    sort: Literal["filed", "-filed"] = "filed"
    cursor: str | None = None
    limit: int = 50


def _lookup(model, code, name):
    if code is None:
        return None
    found = model.objects.filter(**{name: code}).first()
    if found is None:
        raise Problem(
            422, "invalid", _("Valeur inconnue pour « %(field)s ».") % {"field": name.split("_")[0]}
        )
    return found


def refuse_nul(*values) -> None:
    """PostgreSQL refuses NUL characters in text: bad input, not a server error."""
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise Problem(422, "invalid", _("Caractère nul interdit."))


def inbox_query(filters: ListFilters) -> InboxQuery:
    refuse_nul(filters.q, filters.category, filters.department, filters.assignee, filters.cursor)
    if filters.assignee not in (None, UNASSIGNED) and not filters.assignee.isdigit():
        raise Problem(422, "invalid", _("« assignee » : un identifiant d'instructeur ou « none »."))
    return InboxQuery(
        tab=filters.tab,
        q=(filters.q or "").strip()[:200],
        category=_lookup(Category, filters.category, "code"),
        department=_lookup(Department, filters.department, "code"),
        state=filters.state or "",
        assignee=filters.assignee or "",
        filed_from=filters.filed_from,
        filed_to=filters.filed_to,
        flag=filters.flag or "",
        sort=filters.sort,
    )


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Problem(422, "invalid", _("« limit » doit être entre 1 et %(max)s.") % {"max": MAX_LIMIT})


def unit_listing(token, filters: ListFilters):
    """The inbox's own selection (same filters, same scope), read as the token's supervisor."""
    check_limit(filters.limit)
    selection = inbox_selection(user=token.created_by, query=inbox_query(filters)).filter(
        unit_id=token.unit_id
    )
    selection = selection.select_related("category").only(*rep.SUMMARY_COLUMNS)
    return keyset_page(selection, sort=filters.sort, cursor=filters.cursor, limit=filters.limit)


def owner_dossier(token, number: str):
    refuse_nul(number)
    dossier = (
        dossiers_of_owner(token)
        .select_related("category", "department", "unit", "assignee")
        .filter(number=number)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


def dossier_permits(dossier) -> list[Permit]:
    return list(dossier.permits.select_related("category").order_by("-issued_at", "-pk"))


def latest_permit(dossier) -> Permit:
    permit = dossier.permits.select_related("category").order_by("-issued_at", "-pk").first()
    if permit is None:
        raise Http404
    return permit


def permit_pdf_response(permit: Permit):
    if not permit.pdf:
        raise Problem(
            409,
            "not_ready",
            _("Le PDF de l'autorisation est en cours de production."),
            headers={"Retry-After": "30"},
        )
    return pdf.permit_pdf_response(permit)


ListQuery = Query[ListFilters]
