"""The filing form: one page per step, the draft saved at each, then review and submission."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from workinfrance.dossiers import services
from workinfrance.dossiers.checks import dossier_problems, required_document_types
from workinfrance.dossiers.errors import DossierActionError, IncompleteDossier, TransitionNotAllowed
from workinfrance.dossiers.fields import STEP_PART
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import FilerKind
from workinfrance.dossiers.selectors import documents_current, editable_parts
from workinfrance.oidc.services import certified_identity_for, employer_siret_for
from workinfrance.procedures.models import Category, Condition

from ..forms import STEP_FORMS, DocumentUploadForm, FilerForm
from ..steps import MANDATE_STEP, step_after, step_before, step_index, steps_for
from ..summary import dossier_summary
from .common import applicant_required, own_dossier


def step_url(dossier, slug: str) -> str:
    return reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": slug})


def _stepper(current: str, dossier=None) -> dict:
    steps = steps_for(dossier)
    index = step_index(current, dossier)
    following = step_after(current, dossier)
    return {
        "steps": steps,
        "current": steps[index],
        "number": index + 1,
        "total": len(steps),
        "next": following,
    }


def _answers_from_guide(query) -> dict:
    """The guide's answers (who files, which situation), so the first step does not ask them again."""
    initial = {}
    if query.get("filer_kind") in FilerKind.values:
        initial["filer_kind"] = query["filer_kind"]
    category = Category.objects.filter(code=query.get("category", ""), is_active=True).first()
    if category is not None:
        initial["category"] = category.pk
    return initial


@applicant_required
@require_http_methods(["GET", "POST"])
def dossier_new(request):
    """First step of a new request: creates the draft when validated."""
    form = FilerForm(request.POST or None, initial=_answers_from_guide(request.GET))
    if request.method == "POST" and form.is_valid():
        dossier = services.dossier_draft_create(
            actor=request.user,
            category=form.cleaned_data["category"],
            filer_kind=form.cleaned_data["filer_kind"],
            previous_permit_number=form.cleaned_data["previous_permit_number"],
            certified_identity=certified_identity_for(request.user),
            employer_siret=employer_siret_for(request.user),
        )
        messages.success(request, _("Brouillon enregistré. Vous pouvez le reprendre à tout moment."))
        return redirect(step_url(dossier, "student"))
    return render(
        request,
        "applicant/step_form.html",
        {"form": form, "dossier": None, "stepper": _stepper("filer"), "previous": None},
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def step(request, uuid, step):
    dossier = own_dossier(request, uuid)
    if step not in {s.slug for s in steps_for(dossier)}:
        raise Http404
    if not dossier.is_editable_by_applicant:
        messages.info(request, _("Ce dossier a été déposé : il ne peut plus être modifié."))
        return redirect("applicant:dossier", uuid=dossier.uuid)
    context = {"dossier": dossier, "stepper": _stepper(step, dossier), "previous": step_before(step, dossier)}
    if step == "documents":
        return render(request, "applicant/step_documents.html", context | _documents_context(dossier))
    if step == MANDATE_STEP:
        return render(request, "applicant/step_mandate.html", context | _mandate_context(dossier))
    if step == "review":
        return render(request, "applicant/step_review.html", context | _review_context(dossier))
    read_only = _read_only_reason(dossier, request.user, step)
    if read_only:
        # The other side's part: shown, not editable (the service refuses it too).
        section = next(s for s in dossier_summary(dossier) if s["step"].slug == step)
        following = step_after(step, dossier)
        return render(
            request,
            "applicant/step_read_only.html",
            context | {"section": section, "read_only": read_only, "following": following},
        )
    form = STEP_FORMS[step](request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_draft_update(dossier=dossier, actor=request.user, changes=form.changes())
        except DossierActionError as error:
            messages.error(request, error.message)
            return redirect("applicant:dossier", uuid=dossier.uuid)
        if "save_and_quit" in request.POST:
            messages.success(request, _("Brouillon enregistré. Vous pouvez le reprendre à tout moment."))
            return redirect("applicant:dashboard")
        return redirect(step_url(dossier, step_after(step, dossier).slug))
    step_problems = [
        p for p in dossier_problems(dossier) if p.step == step and not p.code.startswith("missing:")
    ]
    return render(
        request, "applicant/step_form.html", context | {"form": form, "step_problems": step_problems}
    )


@applicant_required
@require_POST
def autosave(request, uuid, step):
    """Save a step in the background as the applicant types (the step page's script posts its form).

    Same checks and same service as "Enregistrer": only the applicant's own dossier (404 otherwise),
    only while editable (409). Every well-formed field sent is written, even when another is not;
    a malformed one keeps its previous value. The answer lists the errors per field, in the
    visitor's language and in the server's words (the form and `dossiers.checks`), for the page
    to show at the field."""
    dossier = own_dossier(request, uuid)
    if step not in STEP_FORMS:
        raise Http404
    if not dossier.is_editable_by_applicant:
        return JsonResponse(
            {"saved": False, "status": _("Ce dossier a été déposé : il ne peut plus être modifié.")},
            status=409,
        )
    form = STEP_FORMS[step](request.POST, instance=dossier)
    form.is_valid()
    try:
        services.dossier_draft_update(
            dossier=dossier, actor=request.user, changes=form.partial_changes(request.POST)
        )
    except DossierActionError as error:
        return JsonResponse({"saved": False, "status": str(error.message)}, status=409)
    errors = form.field_errors()
    time = time_format(timezone.localtime(), "H:i")
    status = (
        _("Enregistré à %(time)s, sauf les champs à corriger.") if errors else _("Enregistré à %(time)s")
    ) % {"time": time}
    return JsonResponse({"saved": True, "status": status, "errors": errors})


def upload_forms(dossier, document_types, *, since=None) -> list[dict]:
    """One small form per document type (each posts alone: it works without JavaScript), with
    every file in force for that type.

    With `since` (a complement request), only a file sent after it counts as provided."""
    in_force: dict[int | None, list] = {}
    for doc in documents_current(dossier):
        in_force.setdefault(doc.document_type_id, []).append(doc)
    return [
        {
            "type": doc_type,
            "documents": in_force.get(doc_type.pk, []),
            "provided": any(
                since is None or doc.uploaded_at >= since for doc in in_force.get(doc_type.pk, [])
            ),
            "form": DocumentUploadForm(accepted_formats=doc_type.accepted_formats, prefix=f"t{doc_type.pk}"),
        }
        for doc_type in document_types
    ]


def _read_only_reason(dossier, user, step: str) -> str:
    """Why `user` only reads this step ("" when they edit it)."""
    if step == "filer":
        return (
            ""
            if dossier.applicant_id == user.pk
            else _("Seule la personne qui a créé la demande modifie cette étape.")
        )
    part = STEP_PART.get(step)
    if part is None or part in editable_parts(dossier, user):
        return ""
    if part == "student":
        return _(
            "Cette partie est remplie par l'étudiant, qui a rejoint le dossier : vous pouvez la lire, pas la modifier."
        )
    return _(
        "Cette partie est remplie par l'employeur, qui a rejoint le dossier : vous pouvez la lire, pas la modifier."
    )


def _is_mandate(doc_type) -> bool:
    return doc_type.condition == Condition.MANDATED_FILER


def _documents_context(dossier) -> dict:
    # The mandate has its own step when one is needed.
    types = [t for t in required_document_types(dossier) if not _is_mandate(t)]
    return {"rows": upload_forms(dossier, types)}


def _mandate_context(dossier) -> dict:
    return {"rows": upload_forms(dossier, [t for t in required_document_types(dossier) if _is_mandate(t)])}


def _review_context(dossier) -> dict:
    return {
        "problems": [{"problem": p, "url": step_url(dossier, p.step)} for p in dossier_problems(dossier)],
        "documents": documents_current(dossier),
        "summary": dossier_summary(dossier),
    }


def _back_from_upload(request, dossier) -> str:
    if request.POST.get("next") in ("documents", MANDATE_STEP):
        return step_url(dossier, request.POST["next"])
    return reverse("applicant:dossier", kwargs={"uuid": dossier.uuid})


def _answer(request, back: str, result: dict):
    """A page's script (several files sent one by one, with progress) gets JSON; a plain form post,
    the page again. Either way the messages wait in the session for that page."""
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(result | {"next": back})
    return redirect(back)


@applicant_required
@require_POST
def upload(request, uuid, document_type_id):
    """Add the files chosen for one document type; back to the documents step or the tracking page.

    Each file is checked alone: a bad one is refused with its reason, the good ones are kept."""
    dossier = own_dossier(request, uuid)
    document_type = dossier.category.document_types.filter(pk=document_type_id).first()
    if document_type is None:
        raise Http404
    back = _back_from_upload(request, dossier)
    form = DocumentUploadForm(
        request.POST,
        request.FILES,
        accepted_formats=document_type.accepted_formats,
        prefix=f"t{document_type.pk}",
    )
    files = form.uploaded_files()
    if not files:
        messages.error(request, _("« %(type)s » : choisissez un fichier.") % {"type": document_type.label})
        return _answer(request, back, {"saved": [], "rejected": [_("Choisissez un fichier.")]})
    saved, refused = [], []
    for uploaded_file in files:
        try:
            document = services.document_upload(
                dossier=dossier, actor=request.user, document_type=document_type, uploaded_file=uploaded_file
            )
        except DossierActionError as error:  # UploadRefused included
            refused.append(str(error.message))
            messages.error(request, f"{document_type.label} : {error.message}")
        else:
            saved.append(document.original_name)
    if saved:
        messages.success(
            request,
            ngettext(
                "« %(type)s » : fichier enregistré (%(names)s).",
                "« %(type)s » : %(count)s fichiers enregistrés (%(names)s).",
                len(saved),
            )
            % {"type": document_type.label, "count": len(saved), "names": ", ".join(saved)},
        )
    return _answer(request, back, {"saved": saved, "rejected": refused})


@applicant_required
@require_POST
def document_remove(request, uuid, document_id):
    """Take one of the applicant's files out of the dossier (while editable)."""
    dossier = own_dossier(request, uuid)
    document = dossier.documents.filter(
        pk=document_id, message__isnull=True, document_type__isnull=False
    ).first()
    if document is None:
        raise Http404
    back = _back_from_upload(request, dossier)
    try:
        services.document_remove(dossier=dossier, actor=request.user, document=document)
    except DossierActionError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("« %(name)s » a été retiré du dossier.") % {"name": document.original_name})
    return redirect(back)


@applicant_required
@require_POST
def submit(request, uuid):
    """File the draft. A second click, or a second tab, finds it filed and just shows it."""
    dossier = own_dossier(request, uuid)
    try:
        services.dossier_submit(dossier=dossier, actor=request.user)
    except IncompleteDossier as error:
        messages.error(request, error.message)
        return redirect(step_url(dossier, "review"))
    except TransitionNotAllowed:
        dossier.refresh_from_db()
        if dossier.state == State.DRAFT:
            raise
        messages.info(request, _("Ce dossier a déjà été déposé."))
        return redirect("applicant:dossier", uuid=dossier.uuid)
    messages.success(
        request,
        _("Votre dossier est déposé sous le numéro %(number)s. Un e-mail de confirmation vous a été envoyé.")
        % {"number": dossier.number},
    )
    return redirect("applicant:dossier", uuid=dossier.uuid)
