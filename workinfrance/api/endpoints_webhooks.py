"""Webhook endpoints managed by API (scope `webhooks:manage`), for units and employers alike."""

from django.http import Http404, HttpRequest
from ninja import Router, Status

from .auth import token_auth
from .models import OwnerKind, Scope, WebhookEndpoint
from .problems import Problem
from .schemas import DeliveryOut, ProblemOut, WebhookCreated, WebhookIn, WebhookOut
from .webhooks import services

router = Router(auth=token_auth, tags=["webhooks"])
ERRORS = dict.fromkeys((401, 403, 404, 422, 429), ProblemOut)


def _token(request):
    token = request.auth
    if Scope.WEBHOOKS_MANAGE not in token.scopes:
        from django.utils.translation import gettext as _

        raise Problem(
            403, "forbidden", _("Ce jeton n'a pas le droit « %(scope)s ».") % {"scope": Scope.WEBHOOKS_MANAGE}
        )
    return token


def _owned(token):
    if token.owner_kind == OwnerKind.UNIT:
        return WebhookEndpoint.objects.filter(owner_kind=OwnerKind.UNIT, unit_id=token.unit_id)
    return WebhookEndpoint.objects.filter(
        owner_kind=OwnerKind.EMPLOYER, employer_id=token.employer_id, employer_siret=token.employer_siret
    )


def _out(endpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
    }


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def webhooks_list(request: HttpRequest):
    return [_out(e) for e in _owned(_token(request))]


@router.post("/webhooks", response={201: WebhookCreated, **ERRORS})
def webhook_create(request: HttpRequest, payload: WebhookIn):
    token = _token(request)
    try:
        endpoint, secret = services.endpoint_create(
            actor=token.created_by,
            url=payload.url,
            event_types=payload.event_types,
            unit=token.unit if token.owner_kind == OwnerKind.UNIT else None,
            employer_siret=token.employer_siret,
        )
    except services.WebhookError as error:
        raise Problem(422, "invalid", error.message) from error
    return Status(201, {**_out(endpoint), "secret": secret})


def _endpoint(request, webhook_id):
    endpoint = _owned(_token(request)).filter(pk=webhook_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS})
def webhook_delete(request: HttpRequest, webhook_id: int):
    endpoint = _endpoint(request, webhook_id)
    services.endpoint_delete(endpoint=endpoint, actor=request.auth.created_by)
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **ERRORS})
def deliveries_list(request: HttpRequest, webhook_id: int):
    endpoint = _endpoint(request, webhook_id)
    return list(endpoint.deliveries.select_related("outbox_message")[:100])


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", response={202: DeliveryOut, **ERRORS})
def delivery_replay(request: HttpRequest, webhook_id: int, delivery_id: int):
    endpoint = _endpoint(request, webhook_id)
    delivery = endpoint.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return Status(202, services.delivery_replay(delivery=delivery, actor=request.auth.created_by))
