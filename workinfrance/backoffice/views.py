"""Back-office views: thin, scoped by `dossiers_visible_to`, writes through services only."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workinfrance.core.db_router import replica_reads, streamed_from_replica
from workinfrance.core.events import events_for
from workinfrance.core.verbs import READ_VERBS
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.lifecycle import OPEN_STATES, Transition, allowed_transitions
from workinfrance.dossiers.models import MessageTemplate
from workinfrance.dossiers.selectors import documents_current, dossier_get_for_user
from workinfrance.dossiers.services import DossierActionError
from workinfrance.opinions import services as opinion_services
from workinfrance.opinions.forms import OpinionRequestForm
from workinfrance.territories.models import Unit

from . import exports, services
from .forms import (
    AcceptForm,
    AssignForm,
    CloseForm,
    ComplementsForm,
    InboxFilterForm,
    MessageForm,
    MessageTemplateForm,
    NoteForm,
    RefuseForm,
    ReopenForm,
)
from .presenters import INLINE_TYPES, dossier_context
from .selectors import TABS, inbox_page, inbox_queryset, unit_workload


def staff_required(view):
    """Agents and supervisors only; anyone else is sent to log in, or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@staff_required
def inbox(request):
    form = InboxFilterForm(request.GET, user=request.user)
    query = form.to_query()
    page = inbox_page(user=request.user, query=query, page_number=request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tab_params.pop("tab", None)
    return render(
        request,
        "backoffice/inbox.html",
        {
            "form": form,
            # Choices read once here (iter: list() or a template loop would also count them first).
            "selects": [
                (form[name], _options(form[name], iter(form.fields[name].choices)))
                for name in ("sort", "flag", "category", "department", "state", "assignee")
            ],
            "dates": [form["filed_from"], form["filed_to"]],
            "query": query,
            "page": page,
            "tabs": [(key, label) for key, (label, _q) in TABS.items()],
            "params": params.urlencode(),
            "tab_params": tab_params.urlencode(),
            "has_filters": any(
                (
                    query.q,
                    query.category,
                    query.department,
                    query.state,
                    query.assignee,
                    query.filed_from,
                    query.filed_to,
                    query.flag,
                )
            ),
        },
    )


def _options(field, choices):
    """A select's <option>s in Python: a template loop costs more than the inbox's rows."""
    current = "" if field.value() is None else str(field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == current else "", label) for value, label in choices),
    )


def _export_selection(request):
    form = InboxFilterForm(request.GET, user=request.user)
    query = form.to_query()
    # The audit records the selection as the form understood it: known fields, cleaned values.
    return inbox_queryset(user=request.user, query=query), query.audit_fields()


def _export_name(extension: str) -> str:
    return f"dossiers-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@require_GET
@staff_required
def export_csv(request):
    queryset, filters = _export_selection(request)
    services.export_record(actor=request.user, export_format="csv", filters=filters)
    # Scale-out: the rows from the read replica, if any, as they are streamed.
    response = StreamingHttpResponse(
        streamed_from_replica(exports.csv_stream(queryset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def export_xlsx(request):
    queryset, filters = _export_selection(request)
    if queryset.order_by().values("pk")[: exports.XLSX_MAX_ROWS + 1].count() > exports.XLSX_MAX_ROWS:
        messages.error(
            request,
            _("Trop de dossiers pour un classeur Excel : exportez en CSV, ou affinez les filtres."),
        )
        return redirect(f"{reverse('backoffice:inbox')}?{request.GET.urlencode()}")
    services.export_record(actor=request.user, export_format="xlsx", filters=filters)
    with replica_reads():  # scale-out: the rows from the read replica, if any
        output = exports.xlsx_file(exports.export_rows(queryset))
    response = FileResponse(
        output,
        as_attachment=True,
        filename=_export_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _action_forms(dossier, user, bound=None):
    """The forms of the actions this user may take now (unbound, or the one just posted)."""
    allowed = set(allowed_transitions(dossier, user))
    builders = {
        "complements": (
            Transition.REQUEST_COMPLEMENTS,
            lambda data: ComplementsForm(data, dossier=dossier, prefix="complements"),
        ),
        "accept": (Transition.ACCEPT, lambda data: AcceptForm(data, dossier=dossier, prefix="accept")),
        "refuse": (Transition.REFUSE, lambda data: RefuseForm(data, prefix="refuse")),
        "close": (Transition.CLOSE, lambda data: CloseForm(data, prefix="close")),
        "reopen": (Transition.REOPEN, lambda data: ReopenForm(data, prefix="reopen")),
    }
    forms = {name: build(None) for name, (transition, build) in builders.items() if transition in allowed}
    if Transition.ASSIGN in allowed:
        forms["assign"] = AssignForm(dossier=dossier, prefix="assign")
    if bound is not None:
        forms[bound[0]] = bound[1]
    return forms


def _visible_dossier(request, uuid):
    """The dossier if the user may see it; 404 otherwise (never confirm that it exists)."""
    dossier = dossier_get_for_user(user=request.user, uuid=uuid)
    if dossier is None:
        raise Http404
    return dossier


def _render_dossier(
    request, dossier, *, bound=None, note_form=None, message_form=None, opinion_form=None, status=200
):
    services.dossier_view_record(dossier=dossier, actor=request.user)
    context = dossier_context(dossier)
    forms = _action_forms(dossier, request.user, bound)
    if message_form is None:
        message_form = MessageForm(prefix="message")
    _prefill_from_template(request, context["message_templates"], forms=forms, message_form=message_form)
    context.update(
        forms=forms,
        can_take=Transition.TAKE in allowed_transitions(dossier, request.user),
        can_ask_opinion=dossier.state in OPEN_STATES,
        note_form=note_form or NoteForm(prefix="note"),
        message_form=message_form,
        opinion_form=opinion_form or OpinionRequestForm(documents=context["documents"], prefix="opinion"),
        history=events_for(dossier).exclude(verb__in=sorted(READ_VERBS)).order_by("-created_at", "-id"),
        reads=events_for(dossier).filter(verb__in=sorted(READ_VERBS)).order_by("-created_at", "-id")[:20],
    )
    # Read receipts: the applicant's messages shown here are now read by this agent.
    dossier_services.thread_read_mark(dossier=dossier, actor=request.user, thread=context["thread"])
    return render(request, "backoffice/dossier.html", context, status=status)


TEMPLATE_TARGETS = ("message", "complements")


def _prefill_from_template(request, templates, *, forms, message_form) -> None:
    """Without JavaScript, "Utiliser ce modèle" reloads the screen with `?modele=<pk>&pour=<form>`:
    the chosen template of the dossier's unit fills that form's text (never a bound form's)."""
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("modele")), None)
    target = request.GET.get("pour")
    if request.method != "GET" or chosen is None or target not in TEMPLATE_TARGETS:
        return
    if target == "message" and not message_form.is_bound:
        message_form.initial["body"] = chosen.body
    elif target == "complements" and "complements" in forms and not forms["complements"].is_bound:
        forms["complements"].initial["message"] = chosen.body
        forms["complements"].prefilled = True


@require_GET
@staff_required
def dossier_detail(request, uuid):
    dossier = _visible_dossier(request, uuid)
    return _render_dossier(request, dossier)


def _serve_document(request, uuid, document_id, *, download: bool):
    dossier = _visible_dossier(request, uuid)
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    services.document_view_record(document=document, actor=request.user, download=download)
    inline = not download and document.content_type in INLINE_TYPES
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.download_name,
        content_type=document.content_type
        if document.content_type in INLINE_TYPES
        else "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def document_view(request, uuid, document_id):
    return _serve_document(request, uuid, document_id, download=False)


@require_GET
@staff_required
def document_download(request, uuid, document_id):
    return _serve_document(request, uuid, document_id, download=True)


ACTIONS: dict[str, tuple[Any, Callable[..., HttpResponse]]] = {}


def action(name, form_class=None):
    def register(handler):
        ACTIONS[name] = (form_class, handler)
        return handler

    return register


@action("take")
def _do_take(request, dossier, form):
    dossier_services.dossier_take(dossier=dossier, actor=request.user)
    return _("Vous avez pris en charge le dossier.")


@action("assign", AssignForm)
def _do_assign(request, dossier, form):
    assignee = form.cleaned_data["assignee"]
    dossier_services.dossier_assign(dossier=dossier, actor=request.user, assignee=assignee)
    # django-dsfr renders messages as HTML (DSFR_CONTENT_IS_SAFE): escape what people typed.
    return _("Dossier attribué à %(name)s.") % {"name": escape(str(assignee))}


@action("complements", ComplementsForm)
def _do_complements(request, dossier, form):
    dossier_services.dossier_request_complements(
        dossier=dossier,
        actor=request.user,
        document_types=list(form.cleaned_data["document_types"]),
        message=form.cleaned_data["message"],
    )
    return _("La demande de compléments a été envoyée au demandeur.")


@action("accept", AcceptForm)
def _do_accept(request, dossier, form):
    dossier_services.dossier_accept(dossier=dossier, actor=request.user, terms=form.terms())
    return _("Le dossier est accepté ; l'autorisation est délivrée.")


@action("refuse", RefuseForm)
def _do_refuse(request, dossier, form):
    dossier_services.dossier_refuse(
        dossier=dossier,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        comment=form.cleaned_data["comment"],
    )
    return _("Le refus est enregistré et notifié au demandeur avec les voies de recours.")


@action("close", CloseForm)
def _do_close(request, dossier, form):
    dossier_services.dossier_close(dossier=dossier, actor=request.user, comment=form.cleaned_data["comment"])
    return _("Le dossier est classé sans suite.")


@action("reopen", ReopenForm)
def _do_reopen(request, dossier, form):
    dossier_services.dossier_reopen(dossier=dossier, actor=request.user, reason=form.cleaned_data["reason"])
    return _("Le dossier est rouvert ; toute autorisation délivrée a été retirée.")


@require_POST
@staff_required
def dossier_action(request, uuid, name):
    dossier = _visible_dossier(request, uuid)
    if name not in ACTIONS:
        raise Http404
    form_class, handler = ACTIONS[name]
    form = None
    if form_class is not None:
        form = form_class(
            request.POST, prefix=name, **({"dossier": dossier} if _needs_dossier(form_class) else {})
        )
        if not form.is_valid():
            if name in _action_forms(dossier, request.user):
                return _render_dossier(request, dossier, bound=(name, form), status=400)
            messages.error(request, _("Cette action n'est pas possible sur ce dossier."))
            return redirect("backoffice:dossier", uuid=dossier.uuid)
    try:
        messages.success(request, handler(request, dossier, form))
    except DossierActionError as error:
        # Typically someone acted first: say so, and show the dossier as it is now.
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem.message)
    return redirect("backoffice:dossier", uuid=dossier.uuid)


def _needs_dossier(form_class) -> bool:
    return form_class in (AssignForm, ComplementsForm, AcceptForm)


@require_POST
@staff_required
def note_add(request, uuid):
    dossier = _visible_dossier(request, uuid)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _render_dossier(request, dossier, note_form=form, status=400)
    try:
        services.note_add(dossier=dossier, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Note ajoutée."))
    except DossierActionError as error:
        messages.error(request, error.message)
    return redirect(f"{_dossier_url(dossier)}#notes")


@require_POST
@staff_required
def message_post(request, uuid):
    dossier = _visible_dossier(request, uuid)
    form = MessageForm(request.POST, request.FILES, prefix="message")
    if not form.is_valid():
        return _render_dossier(request, dossier, message_form=form, status=400)
    attachment = form.cleaned_data.get("attachment")
    try:
        dossier_services.message_post(
            dossier=dossier,
            actor=request.user,
            body=form.cleaned_data["body"],
            attachments=[attachment] if attachment else [],
        )
        messages.success(request, _("Message envoyé au demandeur."))
    except DossierActionError as error:
        messages.error(request, error.message)
    return redirect(f"{_dossier_url(dossier)}#messages")


def _dossier_url(dossier) -> str:
    return reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})


@require_GET
@staff_required
def decision_letter(request, uuid):
    dossier = _visible_dossier(request, uuid)
    if not dossier.is_decided:
        raise Http404
    services.dossier_view_record(dossier=dossier, actor=request.user)
    return render(request, "backoffice/decision_letter.html", dossier_context(dossier))


@require_GET
@staff_required
def workload(request):
    if not request.user.is_supervisor:
        raise PermissionDenied
    return render(request, "backoffice/workload.html", unit_workload(user=request.user))


# --- Opinions asked of other services (workinfrance.opinions) ---------------------------------------


@require_POST
@staff_required
def opinion_request(request, uuid):
    dossier = _visible_dossier(request, uuid)
    form = OpinionRequestForm(request.POST, documents=documents_current(dossier), prefix="opinion")
    if form.is_valid():
        try:
            opinion_services.opinion_request(
                dossier=dossier,
                actor=request.user,
                expert_email=form.cleaned_data["expert_email"],
                question=form.cleaned_data["question"],
                due_date=form.cleaned_data["due_date"],
                sections=form.cleaned_data["sections"],
                documents=form.chosen_documents(),
            )
        except DossierActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("La demande d'avis a été envoyée à %(email)s.")
                % {"email": escape(form.cleaned_data["expert_email"])},
            )
            return redirect(f"{_dossier_url(dossier)}#avis")
    return _render_dossier(request, dossier, opinion_form=form, status=400)


def _dossier_opinion(request, uuid, pk):
    dossier = _visible_dossier(request, uuid)
    opinion = dossier.opinions.filter(pk=pk).first()
    if opinion is None:
        raise Http404
    opinion.dossier = dossier
    return dossier, opinion


@require_POST
@staff_required
def opinion_cancel(request, uuid, pk):
    dossier, opinion = _dossier_opinion(request, uuid, pk)
    try:
        opinion_services.opinion_cancel(opinion=opinion, actor=request.user)
    except DossierActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("La demande d'avis est annulée : le lien envoyé à l'expert ne fonctionne plus.")
        )
    return redirect(f"{_dossier_url(dossier)}#avis")


@require_GET
@staff_required
def opinion_answer_file(request, uuid, pk):
    _dossier, opinion = _dossier_opinion(request, uuid, pk)
    if not opinion.answer_file:
        raise Http404
    opinion_services.opinion_answer_read_record(opinion=opinion, actor=request.user)
    response = FileResponse(
        opinion.answer_file.open("rb"),
        as_attachment=True,
        filename=opinion.answer_file_name or "avis",
        content_type=opinion.answer_file_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Message templates of a unit (its supervisors manage them) --------------------------------------


def _supervised_units(user):
    if not user.is_supervisor:
        raise PermissionDenied
    return Unit.objects.filter(pk__in=sorted(user.unit_ids)).order_by("name")


def _template_save(request, form, template=None):
    try:
        services.message_template_save(
            actor=request.user,
            unit=form.cleaned_data["unit"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            template=template,
        )
    except DossierActionError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, _("Modèle enregistré."))
    return True


@require_http_methods(["GET", "POST"])
@staff_required
def message_templates(request):
    units = list(_supervised_units(request.user))
    form = MessageTemplateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid() and _template_save(request, form):
        return redirect("backoffice:message_templates")
    templates = MessageTemplate.objects.filter(unit__in=units).select_related("unit", "updated_by")
    return render(
        request,
        "backoffice/message_templates.html",
        {"form": form, "templates": templates, "several_units": len(units) > 1},
        status=400 if form.is_bound else 200,
    )


def _own_template(request, pk):
    units = list(_supervised_units(request.user))
    template = MessageTemplate.objects.filter(pk=pk, unit__in=units).select_related("unit").first()
    if template is None:
        raise Http404
    return units, template


@require_http_methods(["GET", "POST"])
@staff_required
def message_template(request, pk):
    units, template = _own_template(request, pk)
    form = MessageTemplateForm(
        request.POST or None,
        units=units,
        initial={"unit": template.unit_id, "title": template.title, "body": template.body},
    )
    if request.method == "POST" and form.is_valid() and _template_save(request, form, template):
        return redirect("backoffice:message_templates")
    return render(
        request,
        "backoffice/message_template.html",
        {"form": form, "template": template},
        status=400 if form.is_bound else 200,
    )


@require_POST
@staff_required
def message_template_delete(request, pk):
    _units, template = _own_template(request, pk)
    services.message_template_delete(actor=request.user, template=template)
    messages.success(request, _("Modèle supprimé."))
    return redirect("backoffice:message_templates")
