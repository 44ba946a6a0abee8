"""Endpoints for a unit's token: exactly the inbox's scope, actions through the back-office services."""

from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import NinjaJSONEncoder

from workinfrance.backoffice.services import document_view_record, dossier_view_record
from workinfrance.core.events import events_for
from workinfrance.dossiers import services as dossier_services
from workinfrance.procedures.models import DocumentType

from . import representations as rep
from .auth import require, token_auth
from .endpoints_common import (
    ListQuery,
    dossier_permits,
    latest_permit,
    owner_dossier,
    permit_pdf_response,
    unit_listing,
)
from .idempotency import idempotent
from .models import OwnerKind, Scope
from .problems import Problem
from .schemas import (
    AcceptIn,
    ComplementsIn,
    DocumentOut,
    DossierDetail,
    EventOut,
    PermitOut,
    ProblemOut,
    RefuseIn,
    UnitDossierPage,
)

router = Router(auth=token_auth, tags=["unit"])
ERRORS = dict.fromkeys((401, 403, 404, 422, 429), ProblemOut)
ACTION_ERRORS = {**ERRORS, 409: ProblemOut}


def _token(request, scope):
    return require(request, scope, OwnerKind.UNIT)


@router.get("/dossiers", response={200: UnitDossierPage, **ERRORS}, summary="List the unit's dossiers")
def dossiers_list(request: HttpRequest, filters: ListQuery):
    """The inbox: same tabs and filters, oldest filing first by default; follow `next_cursor`."""
    token = _token(request, Scope.DOSSIERS_READ)
    rows, next_cursor = unit_listing(token, filters)
    return {"items": [rep.dossier_summary(d, unit_view=True) for d in rows], "next_cursor": next_cursor}


def _read(request, number, scope=Scope.DOSSIERS_READ):
    token = _token(request, scope)
    dossier = owner_dossier(token, number)
    return token, dossier


@router.get(
    "/dossiers/{number}", response={200: DossierDetail, **ERRORS}, summary="One dossier, all its data"
)
def dossier_get(request: HttpRequest, number: str):
    token, dossier = _read(request, number)
    dossier_view_record(dossier=dossier, actor=token.created_by)
    return rep.dossier_detail(dossier, dossier_permits(dossier))


@router.get("/dossiers/{number}/documents", response={200: list[DocumentOut], **ERRORS})
def documents_list(request: HttpRequest, number: str):
    token, dossier = _read(request, number, Scope.DOCUMENTS_READ)
    return [rep.document_out(d) for d in dossier.documents.select_related("document_type")]


@router.get(
    "/dossiers/{number}/documents/{document_id}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file as uploaded (checked PDF, JPEG or PNG)",
                "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
            }
        }
    },
)
def document_download(request: HttpRequest, number: str, document_id: int):
    token, dossier = _read(request, number, Scope.DOCUMENTS_READ)
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    document_view_record(document=document, actor=token.created_by, download=True)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/dossiers/{number}/events", response={200: list[EventOut], **ERRORS})
def events_list(request: HttpRequest, number: str):
    token, dossier = _read(request, number)
    return [
        {"id": e.pk, "verb": e.verb, "at": e.created_at, "actor_id": e.actor_id, "data": e.data}
        for e in events_for(dossier).order_by("created_at", "pk")
    ]


@router.get("/dossiers/{number}/permit", response={200: PermitOut, **ERRORS}, summary="The permit's terms")
def permit_get(request: HttpRequest, number: str):
    token, dossier = _read(request, number)
    return rep.permit_out(latest_permit(dossier))


@router.get(
    "/dossiers/{number}/permit.pdf",
    response={200: None, 409: ProblemOut, **ERRORS},
    openapi_extra={"responses": {200: {"description": "The signed PDF", "content": {"application/pdf": {}}}}},
)
def permit_pdf(request: HttpRequest, number: str):
    token, dossier = _read(request, number, Scope.DOCUMENTS_READ)
    return permit_pdf_response(latest_permit(dossier))


# --- Actions: the back-office's services, so every rule of the lifecycle holds ----------------------


def _act(request, number, perform):
    token = _token(request, Scope.DOSSIERS_ACT)

    def run():
        dossier = owner_dossier(token, number)
        updated = perform(dossier, token.created_by)
        updated.refresh_from_db()
        body = rep.dossier_detail(updated, dossier_permits(updated))
        return JsonResponse(body, encoder=NinjaJSONEncoder, json_dumps_params={"ensure_ascii": False})

    return idempotent(request, run)


IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "Retrying with the same key replays the first answer instead of acting twice.",
        }
    ]
}


@router.post(
    "/dossiers/{number}/take", response={200: DossierDetail, **ACTION_ERRORS}, openapi_extra=IDEMPOTENCY_DOC
)
def dossier_take(request: HttpRequest, number: str):
    return _act(request, number, lambda d, actor: dossier_services.dossier_take(dossier=d, actor=actor))


@router.post(
    "/dossiers/{number}/request-complements",
    response={200: DossierDetail, **ACTION_ERRORS},
    openapi_extra=IDEMPOTENCY_DOC,
)
def dossier_request_complements(request: HttpRequest, number: str, payload: ComplementsIn):
    def perform(dossier, actor):
        codes = set(payload.document_types)
        types = list(DocumentType.objects.filter(category_id=dossier.category_id, code__in=codes))
        if len(types) != len(codes):
            raise Problem(422, "invalid", _("Types de pièces inconnus pour la catégorie du dossier."))
        return dossier_services.dossier_request_complements(
            dossier=dossier, actor=actor, document_types=types, message=payload.message
        )

    return _act(request, number, perform)


@router.post(
    "/dossiers/{number}/accept", response={200: DossierDetail, **ACTION_ERRORS}, openapi_extra=IDEMPOTENCY_DOC
)
def dossier_accept(request: HttpRequest, number: str, payload: AcceptIn):
    terms = dossier_services.PermitTerms(
        validity_start=payload.validity_start,
        validity_end=payload.validity_end,
        weekly_hours=payload.weekly_hours,
    )
    return _act(
        request, number, lambda d, actor: dossier_services.dossier_accept(dossier=d, actor=actor, terms=terms)
    )


@router.post(
    "/dossiers/{number}/refuse", response={200: DossierDetail, **ACTION_ERRORS}, openapi_extra=IDEMPOTENCY_DOC
)
def dossier_refuse(request: HttpRequest, number: str, payload: RefuseIn):
    return _act(
        request,
        number,
        lambda d, actor: dossier_services.dossier_refuse(
            dossier=d, actor=actor, reason=payload.reason, comment=payload.comment
        ),
    )
