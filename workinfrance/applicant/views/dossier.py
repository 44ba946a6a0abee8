"""The tracking page of one dossier and what the applicant does from it."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workinfrance.dossiers import services
from workinfrance.dossiers.errors import DossierActionError, IncompleteDossier
from workinfrance.dossiers.lifecycle import AWAITING_UNIT_STATES, INITIAL_STATE
from workinfrance.dossiers.selectors import (
    TimelineEntry,
    applicant_timeline,
    documents_current,
    dossier_get_for_user,
    implicit_refusal_date,
    message_thread,
    open_complement_request,
)
from workinfrance.permits.models import DecisionLetter, Permit, PermitStatus
from workinfrance.stats.selectors import typical_processing_days

from ..forms import MessageForm
from ..summary import dossier_summary
from .common import applicant_required, own_dossier
from .filing import step_url, upload_forms
from .parties import parties_context


@applicant_required
@require_GET
def dossier(request, uuid):
    dossier = own_dossier(request, uuid)
    context = _tracking_context(dossier, message_form=MessageForm(), user=request.user)
    # Read receipts: the agents' messages shown here are now read by the applicant.
    services.thread_read_mark(dossier=dossier, actor=request.user, thread=context["thread"])
    return render(request, "applicant/dossier.html", context)


def _timeline(dossier, permits: list[Permit]) -> list[TimelineEntry]:
    """The dossier's history, with the revocations of its permits (a permit's event, not a transition)."""
    entries = applicant_timeline(dossier)
    for permit in permits:
        if permit.revoked_at is not None:
            entries.append(
                TimelineEntry(
                    at=permit.revoked_at,
                    label=_("Autorisation n° %(number)s révoquée. Motif : %(reason)s")
                    % {"number": permit.number, "reason": permit.revocation_reason},
                )
            )
    return sorted(entries, key=lambda entry: entry.at)


def _tracking_context(dossier, *, message_form, user) -> dict:
    complement_request = open_complement_request(dossier)
    permits = list(dossier.permits.order_by("-issued_at", "-pk")) if dossier.state != INITIAL_STATE else []
    latest = permits[0] if permits and dossier.is_decided else None
    context = {
        "dossier": dossier,
        "timeline": _timeline(dossier, permits),
        "documents": documents_current(dossier),
        "thread": message_thread(dossier),
        "message_form": message_form,
        "complement_request": complement_request,
        "complement_uploads": (
            upload_forms(
                dossier, complement_request.document_types.all(), since=complement_request.created_at
            )
            if complement_request
            else []
        ),
        "implicit_refusal_date": implicit_refusal_date(dossier),
        "permit": latest if latest is not None and latest.status == PermitStatus.VALID else None,
        # An accepted dossier whose permit was revoked: said so, no PDF, no renewal.
        "revoked_permit": latest if latest is not None and latest.is_revoked else None,
        "decision_letters": list(
            DecisionLetter.objects.filter(dossier=dossier).exclude(pdf="").select_related("permit")
        )
        if dossier.state != INITIAL_STATE
        else [],
        "summary": dossier_summary(dossier),
        "edit_url": step_url(dossier, "review") if dossier.is_editable_by_applicant else None,
        **parties_context(dossier, user),
    }
    if dossier.state in AWAITING_UNIT_STATES and dossier.department_id:
        context["typical_days"] = typical_processing_days(
            category=dossier.category, department=dossier.department
        )
    return context


@applicant_required
@require_POST
def message(request, uuid):
    dossier = own_dossier(request, uuid)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = form.cleaned_data.get("attachment")
        try:
            services.message_post(
                dossier=dossier,
                actor=request.user,
                body=form.cleaned_data["body"],
                attachments=[attachment] if attachment else [],
            )
        except DossierActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Message envoyé au service instructeur."))
            return redirect("applicant:dossier", uuid=dossier.uuid)
    context = _tracking_context(dossier, message_form=form, user=request.user)
    return render(request, "applicant/dossier.html", context, status=400)


@applicant_required
@require_POST
def resubmit(request, uuid):
    """Send the completed file back to the agents (after a complement request)."""
    dossier = own_dossier(request, uuid)
    try:
        services.dossier_resubmit(dossier=dossier, actor=request.user)
    except IncompleteDossier as error:
        messages.error(request, error.message)
        return redirect(step_url(dossier, "review"))
    except DossierActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Votre dossier complété a été renvoyé au service instructeur."))
    return redirect("applicant:dossier", uuid=dossier.uuid)


@applicant_required
@require_POST
def renew(request, uuid):
    dossier = own_dossier(request, uuid)
    try:
        renewal = services.dossier_renew(dossier=dossier, actor=request.user)
    except DossierActionError as error:
        messages.error(request, error.message)
        return redirect("applicant:dossier", uuid=dossier.uuid)
    messages.success(
        request,
        _("Demande de renouvellement créée à partir de votre dossier : vérifiez chaque étape et les dates."),
    )
    return redirect(step_url(renewal, "filer"))


@require_GET
def document(request, uuid, document_id):
    """Serve a file to whoever may see its dossier (the applicant, the unit's staff); 404 otherwise."""
    if not request.user.is_authenticated:
        raise Http404
    dossier = dossier_get_for_user(user=request.user, uuid=uuid)
    item = dossier.documents.filter(pk=document_id).first() if dossier else None
    if item is None:
        raise Http404
    services.document_read_record(document=item, actor=request.user)
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.download_name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
