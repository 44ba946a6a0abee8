"""Endpoints for an employer's token: the dossiers its account filed or that name its SIRET."""

from django.http import HttpRequest
from ninja import Router

from . import representations as rep
from .auth import require, token_auth
from .endpoints_common import (
    ListQuery,
    check_limit,
    dossier_permits,
    latest_permit,
    owner_dossier,
    permit_pdf_response,
    refuse_nul,
)
from .models import OwnerKind, Scope
from .owners import dossiers_of_owner
from .pagination import keyset_page
from .problems import Problem
from .schemas import DossierPage, EmployerDossier, PermitOut, ProblemOut

router = Router(auth=token_auth, tags=["employer"])
ERRORS = dict.fromkeys((401, 403, 404, 422, 429), ProblemOut)


def _token(request, scope=Scope.DOSSIERS_READ):
    return require(request, scope, OwnerKind.EMPLOYER)


@router.get("/dossiers", response={200: DossierPage, **ERRORS}, summary="The employer's dossiers")
def dossiers_list(request: HttpRequest, filters: ListQuery):
    """Filters: `state`, `filed_from`, `filed_to`, `sort`; follow `next_cursor`."""
    token = _token(request)
    check_limit(filters.limit)
    refuse_nul(filters.cursor)
    selection = dossiers_of_owner(token).select_related("category").only(*rep.SUMMARY_COLUMNS)
    if filters.state:
        selection = selection.filter(state=filters.state)
    if filters.filed_from:
        selection = selection.filter(submitted_at__date__gte=filters.filed_from)
    if filters.filed_to:
        selection = selection.filter(submitted_at__date__lte=filters.filed_to)
    rows, next_cursor = keyset_page(selection, sort=filters.sort, cursor=filters.cursor, limit=filters.limit)
    return {"items": [rep.dossier_summary(d, unit_view=False) for d in rows], "next_cursor": next_cursor}


@router.get("/dossiers/{number}", response={200: EmployerDossier, **ERRORS}, summary="State and permits")
def dossier_get(request: HttpRequest, number: str):
    dossier = owner_dossier(_token(request), number)
    return {
        **rep.dossier_summary(dossier, unit_view=False),
        "permits": [rep.permit_out(p) for p in dossier_permits(dossier)],
    }


@router.get("/dossiers/{number}/permit", response={200: PermitOut, **ERRORS})
def permit_get(request: HttpRequest, number: str):
    return rep.permit_out(latest_permit(owner_dossier(_token(request), number)))


@router.get(
    "/dossiers/{number}/permit.pdf",
    response={200: None, 409: ProblemOut, **ERRORS},
    openapi_extra={"responses": {200: {"description": "The signed PDF", "content": {"application/pdf": {}}}}},
)
def permit_pdf(request: HttpRequest, number: str):
    return permit_pdf_response(latest_permit(owner_dossier(_token(request, Scope.DOCUMENTS_READ), number)))


__all__ = ["router", "Problem"]
