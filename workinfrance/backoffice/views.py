"""Back-office views: thin, scoped by `dossiers_visible_to`, writes through services only."""

import uuid as uuid_module
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workinfrance.core.db_router import replica_reads, streamed_from_replica
from workinfrance.core.events import events_for
from workinfrance.core.verbs import READ_VERBS
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.lifecycle import Transition, allowed_transitions
from workinfrance.dossiers.selectors import dossier_get_for_user, dossiers_visible_to
from workinfrance.dossiers.services import DossierActionError, permit_terms_problems, permit_terms_proposed
from workinfrance.territories.models import Unit

from . import exports, services
from .columns import OPTIONAL_COLUMNS
from .forms import (
    AcceptForm,
    AssignForm,
    BatchForm,
    CloseForm,
    ComplementsForm,
    InboxFilterForm,
    LabelForm,
    MessageForm,
    NoteForm,
    RefuseForm,
    ReopenForm,
    SavedFilterForm,
)
from .models import BatchAction, BatchItemStatus, BatchStatus, Label
from .presenters import INLINE_TYPES, dossier_context
from .selectors import (
    TABS,
    UNASSIGNED,
    batch_of,
    dossier_labels_of,
    inbox_columns_of,
    inbox_page,
    inbox_queryset,
    inbox_tab_counts,
    saved_filters_of,
    unit_labels,
    unit_workload,
)


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
    labels = unit_labels(request.user)
    form = InboxFilterForm(request.GET, user=request.user, labels=labels)
    query = form.to_query()
    page = inbox_page(user=request.user, query=query, page_number=request.GET.get("page"), labels=labels)
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tab_params.pop("tab", None)
    counts = inbox_tab_counts(user=request.user)
    columns = inbox_columns_of(request.user)
    return render(
        request,
        "backoffice/inbox.html",
        {
            "form": form,
            # Choices read once here (iter: list() or a template loop would also count them first).
            "selects": [
                (form[name], _options(form[name], iter(form.fields[name].choices)))
                for name in ("sort", "flag", "category", "department", "state", "assignee", "label")
            ],
            "dates": [form["filed_from"], form["filed_to"]],
            "query": query,
            "page": page,
            "tabs": [(key, label, counts[key]) for key, (label, _q) in TABS.items()],
            "params": params.urlencode(),
            "labels": labels,
            "saved_filters": saved_filters_of(request.user),
            "columns": columns,
            "column_choices": [(key, label, key in columns) for key, label in OPTIONAL_COLUMNS.items()],
            "column_count": 6 + len(columns) + 1,
            # The assignee filter's agents, read once for the batch "assign" too.
            "agents": [
                (pk, name) for pk, name in form.fields["assignee"].choices if pk not in ("", UNASSIGNED)
            ]
            if request.user.is_supervisor
            else [],
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
                    query.label,
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
    # The unit's labels are read only to understand a label filter (the export's query budget).
    labels = unit_labels(request.user) if request.GET.get("label") else []
    form = InboxFilterForm(request.GET, user=request.user, labels=labels)
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


def _render_dossier(request, dossier, *, bound=None, note_form=None, message_form=None, status=200):
    services.dossier_view_record(dossier=dossier, actor=request.user)
    context = dossier_context(dossier)
    context.update(
        forms=_action_forms(dossier, request.user, bound),
        can_take=Transition.TAKE in allowed_transitions(dossier, request.user),
        note_form=note_form or NoteForm(prefix="note"),
        message_form=message_form or MessageForm(prefix="message"),
        history=events_for(dossier).exclude(verb__in=sorted(READ_VERBS)).order_by("-created_at", "-id"),
        reads=events_for(dossier).filter(verb__in=sorted(READ_VERBS)).order_by("-created_at", "-id")[:20],
    )
    context["unit_labels"] = dossier_labels_of(dossier)
    context["labels_to_add"] = [label for label in context["unit_labels"] if not label.is_on]
    return render(request, "backoffice/dossier.html", context, status=status)


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
    form = MessageForm(request.POST, prefix="message")
    if not form.is_valid():
        return _render_dossier(request, dossier, message_form=form, status=400)
    try:
        dossier_services.message_post(dossier=dossier, actor=request.user, body=form.cleaned_data["body"])
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


# --- Saved filters and columns (the agent's own) ----------------------------------------------------


def _inbox_url(query_string: str = "") -> str:
    url = reverse("backoffice:inbox")
    return f"{url}?{query_string}" if query_string else url


@require_POST
@staff_required
def saved_filter_create(request):
    form = SavedFilterForm(request.POST)
    query_string = request.POST.get("query_string", "")
    if form.is_valid():
        try:
            services.saved_filter_create(
                actor=request.user, name=form.cleaned_data["name"], query_string=query_string
            )
            messages.success(request, _("Filtre enregistré."))
        except DossierActionError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Donnez un nom au filtre (60 caractères au plus)."))
    return redirect(_inbox_url(query_string))


@require_POST
@staff_required
def saved_filter_delete(request, pk):
    if not services.saved_filter_delete(actor=request.user, saved_filter_id=pk):
        raise Http404
    messages.success(request, _("Filtre supprimé."))
    return redirect(_inbox_url())


@require_POST
@staff_required
def columns_set(request):
    # Unknown names are left out by the service (a column removed since the page was shown).
    services.inbox_columns_set(actor=request.user, columns=request.POST.getlist("columns"))
    messages.success(request, _("Colonnes enregistrées."))
    return redirect(_inbox_url(request.POST.get("query_string", "")))


# --- Labels: the supervisor's pages, and the agents' labelling of a dossier ------------------------


def supervisor_required(view):
    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_supervisor:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _own_label(request, pk) -> Label:
    label = Label.objects.filter(pk=pk, unit_id__in=request.user.unit_ids).select_related("unit").first()
    if label is None:
        raise Http404
    return label


@require_http_methods(["GET", "POST"])
@supervisor_required
def labels(request):
    units = list(Unit.objects.filter(pk__in=request.user.unit_ids).order_by("name"))
    form = LabelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), units[0] if units else None)
        if unit is not None and form.is_valid():
            try:
                services.label_create(
                    actor=request.user,
                    unit=unit,
                    name=form.cleaned_data["name"],
                    colour=form.cleaned_data["colour"],
                )
                messages.success(request, _("Étiquette créée."))
                return redirect("backoffice:labels")
            except DossierActionError as error:
                form.add_error("name", error.message)
        status = 400
    rows = Label.objects.filter(unit__in=units).select_related("unit").order_by("unit__name", "name")
    return render(
        request, "backoffice/labels.html", {"form": form, "labels": rows, "units": units}, status=status
    )


@require_http_methods(["GET", "POST"])
@supervisor_required
def label_edit(request, pk):
    label = _own_label(request, pk)
    form = LabelForm(request.POST or None, initial={"name": label.name, "colour": label.colour})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.label_update(
                    actor=request.user,
                    label=label,
                    name=form.cleaned_data["name"],
                    colour=form.cleaned_data["colour"],
                )
                messages.success(request, _("Étiquette modifiée."))
                return redirect("backoffice:labels")
            except DossierActionError as error:
                form.add_error("name", error.message)
        status = 400
    return render(request, "backoffice/label_form.html", {"form": form, "label": label}, status=status)


@require_POST
@supervisor_required
def label_delete(request, pk):
    label = _own_label(request, pk)
    count = services.label_delete(actor=request.user, label=label)
    messages.success(
        request,
        _("Étiquette « %(name)s » supprimée (retirée de %(count)s dossier(s)).")
        % {"name": escape(label.name), "count": count},
    )
    return redirect("backoffice:labels")


@require_POST
@staff_required
def dossier_labels(request, uuid):
    dossier = _visible_dossier(request, uuid)
    label = Label.objects.filter(pk=request.POST.get("label") or 0, unit_id=dossier.unit_id).first()
    if label is None:
        messages.error(request, _("Choisissez une étiquette de l'unité du dossier."))
        return redirect(f"{_dossier_url(dossier)}#labels")
    try:
        if request.POST.get("remove"):
            services.dossier_label_remove(dossier=dossier, actor=request.user, label=label)
            messages.success(request, _("Étiquette « %(name)s » retirée.") % {"name": escape(label.name)})
        else:
            services.dossier_label_add(dossier=dossier, actor=request.user, label=label)
            messages.success(request, _("Étiquette « %(name)s » ajoutée.") % {"name": escape(label.name)})
    except DossierActionError as error:
        messages.error(request, error.message)
    return redirect(f"{_dossier_url(dossier)}#labels")


# --- Batch actions ------------------------------------------------------------------------------------


def _selection(request, form: BatchForm) -> list[str]:
    """The ticked rows, or every row of the page ("whole page", which works without JavaScript)."""
    if request.POST.get("whole_page"):
        return list(request.POST.getlist("page_dossiers"))
    return list(form.cleaned_data.get("dossiers") or [])


@require_POST
@staff_required
def batch_start(request):
    form = BatchForm(request.POST)
    back = _inbox_url(request.POST.get("query_string", ""))
    if not form.is_valid():
        messages.error(request, _("Choisissez une action et au moins un dossier."))
        return redirect(back)
    action, references = form.cleaned_data["action"], _selection(request, form)
    if not references:
        messages.error(request, _("Sélectionnez au moins un dossier."))
        return redirect(back)
    if action == "export":
        return _export_chosen(request, references)
    if action == BatchAction.ACCEPT:
        return _accept_review(request, references, back)
    params: dict[str, Any] = {}
    if action == BatchAction.ASSIGN:
        params["assignee"] = form.cleaned_data["assignee"]
    elif action == BatchAction.LABEL:
        params["label"] = form.cleaned_data["label"]
    elif action == BatchAction.COMPLEMENTS:
        if not (form.cleaned_data["message"] or "").strip():
            messages.error(request, _("Expliquez au demandeur ce qui manque."))
            return redirect(back)
        params["message"] = form.cleaned_data["message"].strip()
        codes = request.POST.get("document_codes", "").replace(",", " ").split()
        params["document_types"] = sorted(set(codes) | set(form.cleaned_data["document_types"]))
    try:
        batch = services.batch_create(actor=request.user, action=action, references=references, params=params)
    except DossierActionError as error:
        messages.error(request, error.message)
        return redirect(back)
    return redirect("backoffice:batch", uuid=batch.uuid)


def _chosen_dossiers(user, references: list[str]):
    keys = []
    for reference in references:
        try:
            keys.append(str(uuid_module.UUID(reference)))
        except ValueError:
            continue
    return dossiers_visible_to(user).filter(uuid__in=keys)


def _export_chosen(request, references):
    queryset = _chosen_dossiers(request.user, references).order_by("submitted_at", "pk")
    services.export_record(actor=request.user, export_format="csv", filters={"selection": len(references)})
    response = StreamingHttpResponse(exports.csv_stream(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _accept_review(request, references, back):
    """The review screen: each selected dossier with the terms it will be accepted with."""
    found = {
        str(d.uuid): d
        for d in _chosen_dossiers(request.user, references).select_related("category", "department")
    }
    rows = []
    for reference in dict.fromkeys(services.batch_reference(ref) for ref in references):
        dossier = found.get(reference)
        if dossier is None:
            rows.append({"reference": reference, "dossier": None, "terms": None, "problems": []})
            continue
        terms = permit_terms_proposed(dossier)
        rows.append(
            {
                "reference": reference,
                "dossier": dossier,
                "terms": terms,
                "problems": [p.message for p in permit_terms_problems(dossier, terms)],
            }
        )
    return render(request, "backoffice/batch_review.html", {"rows": rows, "back": back})


@require_POST
@staff_required
def batch_accept(request):
    """Confirmed after the review: the terms are those proposed now (shown on the review screen)."""
    references = [services.batch_reference(r) for r in request.POST.getlist("dossiers") if r.strip()]
    found = {str(d.uuid): d for d in _chosen_dossiers(request.user, references).select_related("category")}
    item_params = {}
    for reference, dossier in found.items():
        terms = permit_terms_proposed(dossier)
        item_params[reference] = {
            "validity_start": terms.validity_start.isoformat(),
            "validity_end": terms.validity_end.isoformat(),
            "weekly_hours": str(terms.weekly_hours),
        }
    try:
        batch = services.batch_create(
            actor=request.user, action=BatchAction.ACCEPT, references=references, item_params=item_params
        )
    except DossierActionError as error:
        messages.error(request, error.message)
        return redirect(_inbox_url())
    return redirect("backoffice:batch", uuid=batch.uuid)


def _own_batch(request, uuid):
    batch = batch_of(user=request.user, batch_uuid=uuid)
    if batch is None:
        raise Http404
    return batch


@require_GET
@staff_required
def batch_detail(request, uuid):
    batch = _own_batch(request, uuid)
    items = list(batch.items.select_related("dossier"))
    return render(
        request,
        "backoffice/batch.html",
        {
            "batch": batch,
            "items": items,
            "running": batch.status != BatchStatus.FINISHED,
            "statuses": BatchItemStatus,
        },
    )


@require_GET
@staff_required
def batch_status(request, uuid):
    batch = _own_batch(request, uuid)
    return JsonResponse(
        {
            "status": batch.status,
            "total": batch.total,
            "done": batch.done,
            "declined": batch.declined,
            "percent": batch.percent,
            "finished": batch.status == BatchStatus.FINISHED,
        },
        headers={"Cache-Control": "private, no-store"},
    )
