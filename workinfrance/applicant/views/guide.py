from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render

from workinfrance.dossiers.models import FilerKind
from workinfrance.dossiers.selectors import dossiers_visible_to
from workinfrance.permits.models import Permit, PermitStatus
from workinfrance.procedures.models import Category, Condition, Requirement
from workinfrance.territories.routing import RoutingError, unit_for_department

from ..forms import GuideForm
from .parties import pending_invitation_redirect


def guide(request):
    """Does the student need an authorisation, can it be filed online, which documents to prepare."""
    form = GuideForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = _guide_result(form.cleaned_data)
    return render(request, "applicant/guide.html", {"form": form, "result": result})


def _guide_result(data) -> dict:
    situation = data["situation"]
    department = data["department"]
    result = {"situation": situation, "department": department, "needed": False}
    if situation in (GuideForm.OTHER_JOB, GuideForm.INTERNSHIP):
        return result
    category = Category.objects.get(code=situation, is_active=True)
    try:
        unit = unit_for_department(department.code)
        routing_error = None
    except RoutingError as error:
        unit, routing_error = None, error.message
    mandated = data["filer_kind"] != FilerKind.EMPLOYER
    documents, optional = [], []
    for doc_type in category.document_types.all():
        if doc_type.requirement == Requirement.MANDATORY or (
            mandated and doc_type.condition == Condition.MANDATED_FILER
        ):
            documents.append(doc_type)
        else:
            optional.append(doc_type)
    result.update(
        # "Commencer ma demande" carries the answers into the first step of the form.
        start_query=urlencode({"filer_kind": data["filer_kind"], "category": category.code}),
        needed=True,
        category=category,
        unit=unit,
        routing_error=routing_error,
        documents=documents,
        optional_documents=optional,
        mandated=mandated,
    )
    return result


@login_required
def dashboard(request):
    if not request.user.is_applicant:
        return redirect("accounts:after_login")
    if (back := pending_invitation_redirect(request)) is not None:
        return back
    permits = Permit.objects.filter(dossier=OuterRef("pk"))
    dossiers = (
        dossiers_visible_to(request.user)
        .select_related("category")
        # An accepted file whose permit was revoked says so in the list too (issue 15).
        .annotate(
            permit_revoked=Exists(permits.filter(status=PermitStatus.REVOKED))
            & ~Exists(permits.filter(status=PermitStatus.VALID))
        )
        .order_by("-updated_at", "-pk")
    )
    return render(request, "applicant/dashboard.html", {"dossiers": dossiers})
