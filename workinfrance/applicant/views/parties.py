"""The parties of a dossier (issue 15): invite the other side, accept an invitation, and the
printable PDFs (the employer's mandate, the checklist of documents)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workinfrance.dossiers import party_services
from workinfrance.dossiers.errors import DossierActionError
from workinfrance.dossiers.models import DossierParty, FilerKind, PartySide, PartyStatus
from workinfrance.dossiers.party_services import InvitationError
from workinfrance.procedures.models import Category

from ..forms import AcceptInvitationForm, InviteForm
from ..printables import LANGUAGES, checklist_pdf, mandate_pdf, pdf_response
from .common import applicant_required, own_dossier

PENDING_INVITATION = "pending_invitation"


def parties_context(dossier, user) -> dict:
    """The dossier's parties and one invitation form per side nobody holds yet."""
    parties = list(DossierParty.objects.filter(dossier=dossier).select_related("user").order_by("side"))
    if not any(p.user_id == dossier.applicant_id for p in parties):
        # Dossiers made without a party row (before issue 15's back-fill ran): the filer anyway.
        parties.insert(
            0,
            DossierParty(
                dossier=dossier,
                side=dossier.filer_kind,
                status=PartyStatus.JOINED,
                email="",
                user=user if user.pk == dossier.applicant_id else dossier.applicant,
            ),
        )
    pending = {p.side: p for p in parties if p.status == PartyStatus.INVITED}
    forms = []
    for side in party_services.invitable_sides(dossier, parties):
        if side == PartySide.MANDATARY and dossier.filer_kind != FilerKind.MANDATARY:
            continue  # a mandatary is the employer's choice when filing
        label = PartySide(side).label
        forms.append(
            {
                "side": side,
                "label": label,
                "pending": pending.get(side),
                "form": InviteForm(
                    prefix=f"invite-{side}",
                    initial={"email": party_services.proposed_email(dossier, side)},
                ),
            }
        )
    return {"parties": [p for p in parties if p.is_accepted], "invite_forms": forms, "me": user}


@applicant_required
@require_POST
def invite(request, uuid):
    dossier = own_dossier(request, uuid)
    side = request.POST.get("side", "")
    form = InviteForm(request.POST, prefix=f"invite-{side}")
    back = reverse("applicant:dossier", kwargs={"uuid": dossier.uuid}) + "#parties"
    if not form.is_valid():
        messages.error(request, _("Saisissez une adresse e-mail valide."))
        return redirect(back)
    try:
        party_services.party_invite(
            dossier=dossier, actor=request.user, side=side, email=form.cleaned_data["email"]
        )
    except DossierActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Invitation envoyée à %(email)s. Le lien est valable %(days)s jours.")
            % {"email": form.cleaned_data["email"], "days": party_services.INVITATION_VALIDITY.days},
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The invitation link: sign in (or sign up) first, then accept; the link then opens the dossier."""
    user = request.user
    if user.is_authenticated and not user.is_applicant:
        raise Http404
    try:
        party = party_services.invitation_find(token)
    except InvitationError as error:
        request.session.pop(PENDING_INVITATION, None)
        return render(request, "applicant/invitation.html", {"error": error.message}, status=410)
    context = {
        "party": party,
        "dossier": party.dossier,
        "inviter": party.invited_by.get_full_name() if party.invited_by else "",
        "login_url": reverse("accounts:login") + "?next=" + request.path,
    }
    if not user.is_authenticated:
        # Kept through sign-up and e-mail confirmation: the dashboard brings them back here.
        request.session[PENDING_INVITATION] = token
        return render(request, "applicant/invitation.html", context)
    mismatch = party_services.invitation_email_mismatch(party, user)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            party_services.party_accept(
                token=token, user=user, other_email_confirmed=form.cleaned_data["other_email_confirmed"]
            )
        except InvitationError as error:
            return render(
                request,
                "applicant/invitation.html",
                context | {"form": form, "mismatch": mismatch, "error_inline": error.message},
                status=400,
            )
        request.session.pop(PENDING_INVITATION, None)
        messages.success(request, _("Vous avez rejoint le dossier."))
        return redirect("applicant:dossier", uuid=party.dossier.uuid)
    return render(request, "applicant/invitation.html", context | {"form": form, "mismatch": mismatch})


def pending_invitation_redirect(request):
    """After signing in: back to the invitation that was opened before (None when there is none).
    Once only: someone who then decides not to accept reaches their dashboard next time."""
    token = request.session.pop(PENDING_INVITATION, None)
    if token:
        return redirect("applicant:invitation", token=token)
    return None


def _language(request) -> str:
    language = request.GET.get("lang") or (get_language() or "fr")[:2]
    return language if language in LANGUAGES else "fr"


@applicant_required
@require_GET
def mandate(request, uuid):
    dossier = own_dossier(request, uuid)
    if dossier.filer_kind == FilerKind.EMPLOYER:
        raise Http404
    language = _language(request)
    return pdf_response(mandate_pdf(dossier, language=language), f"mandat-{language}.pdf")


@require_GET
def mandate_template(request):
    """Public: the blank mandate, linked from the guide."""
    language = _language(request)
    return pdf_response(mandate_pdf(None, language=language), f"modele-mandat-{language}.pdf")


@require_GET
def checklist(request, code):
    """Public: the guide links it before any account exists."""
    category = get_object_or_404(Category, code=code, is_active=True)
    language = _language(request)
    return pdf_response(checklist_pdf(category, language=language), f"pieces-{category.code}-{language}.pdf")
