"""The web pages of the API: tokens (secret shown once) and webhooks with their delivery log.

Supervisors (for their units) and employer accounts (for their SIRETs); everyone else gets 403."""

import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens as token_services
from .forms import TokenForm, WebhookForm
from .models import ApiToken, OwnerKind, WebhookEndpoint
from .owners import employer_sirets, units_managed_by
from .webhooks import services as webhook_services


def api_owner_required(view):
    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (units_managed_by(request.user).exists() or employer_sirets(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _owned_by(user) -> Q:
    """Rows of the user's units, or of the user's own employer account."""
    return Q(owner_kind=OwnerKind.UNIT, unit__in=units_managed_by(user)) | Q(
        owner_kind=OwnerKind.EMPLOYER, employer=user
    )


@require_http_methods(["GET", "POST"])
@api_owner_required
def tokens(request):
    form = TokenForm(request.POST or None, user=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        expires_at = timezone.make_aware(
            datetime.datetime.combine(form.cleaned_data["expires_on"], datetime.time(23, 59, 59))
        )
        try:
            created = token_services.token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
                **form.owner_kwargs(),
            )
        except token_services.TokenError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm(user=request.user)
    listed = ApiToken.objects.filter(_owned_by(request.user)).select_related("unit", "created_by")
    return render(request, "api/tokens.html", {"form": form, "created": created, "tokens": listed})


@require_POST
@api_owner_required
def token_revoke(request, pk):
    token = ApiToken.objects.filter(_owned_by(request.user), pk=pk).first()
    if token is None:
        raise Http404
    try:
        token_services.token_revoke(token=token, actor=request.user)
    except token_services.TokenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("api:tokens")


@require_http_methods(["GET", "POST"])
@api_owner_required
def webhooks(request):
    form = WebhookForm(request.POST or None, user=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhook_services.endpoint_create(
                actor=request.user,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                **form.owner_kwargs(),
            )
        except webhook_services.WebhookError as error:
            form.add_error("url", error.message)
        else:
            form = WebhookForm(user=request.user)
    listed = WebhookEndpoint.objects.filter(_owned_by(request.user)).select_related("unit")
    return render(
        request,
        "api/webhooks.html",
        {
            "form": form,
            "created": created[0] if created else None,
            "secret": created[1] if created else None,
            "endpoints": listed,
        },
    )


def _endpoint(request, pk) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(_owned_by(request.user), pk=pk).select_related("unit").first()
    if endpoint is None:
        raise Http404
    return endpoint


@require_http_methods(["GET"])
@api_owner_required
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    deliveries = endpoint.deliveries.select_related("outbox_message")[:200]
    return render(request, "api/webhook.html", {"endpoint": endpoint, "deliveries": deliveries})


@require_POST
@api_owner_required
def webhook_enable(request, pk):
    endpoint = _endpoint(request, pk)
    webhook_services.endpoint_enable(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Le webhook est réactivé ; les livraisons en attente repartent."))
    return redirect("api:webhook", pk=endpoint.pk)


@require_POST
@api_owner_required
def webhook_delete(request, pk):
    endpoint = _endpoint(request, pk)
    webhook_services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Le webhook est supprimé."))
    return redirect("api:webhooks")


@require_POST
@api_owner_required
def delivery_replay(request, pk, delivery_pk):
    endpoint = _endpoint(request, pk)
    delivery = endpoint.deliveries.filter(pk=delivery_pk).first()
    if delivery is None:
        raise Http404
    webhook_services.delivery_replay(delivery=delivery, actor=request.user)
    messages.success(request, _("La livraison est renvoyée."))
    return redirect("api:webhook", pk=endpoint.pk)
