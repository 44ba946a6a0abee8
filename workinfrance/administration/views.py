"""Units and staff in the service's own pages (the Django admin stays for the technical team).

Administrators see every unit; supervisors their own. Anyone else: 403. A unit the user does not
manage answers 404 (its existence is not confirmed)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from workinfrance.accounts import staff_services
from workinfrance.accounts.models import Role, User
from workinfrance.dossiers.lifecycle import OPEN_STATES
from workinfrance.dossiers.models import Dossier
from workinfrance.territories import services as unit_services
from workinfrance.territories.models import Department, Unit

from .forms import InviteForm, UnitForm

# Dossiers an agent still holds: reassigned by a supervisor once the agent has left.
HELD_STATES = OPEN_STATES


def unit_managers_only(view):
    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_administrator or request.user.is_supervisor):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _managed_unit(user, unit_id: int) -> Unit:
    unit = unit_services.units_administered_by(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


@require_http_methods(["GET"])
@unit_managers_only
def units(request):
    rows = (
        unit_services.units_administered_by(request.user)
        .annotate(active_staff=Count("members", filter=Q(members__is_active=True), distinct=True))
        .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("code")))
        .order_by("name")
    )
    return render(request, "administration/units.html", {"units": rows})


@require_http_methods(["GET", "POST"])
@unit_managers_only
def unit_create(request):
    if not request.user.is_administrator:
        raise PermissionDenied
    form = UnitForm(
        request.POST or None,
        editable=unit_services.editable_unit_fields(request.user),
        with_departments=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_services.unit_save(
                actor=request.user,
                unit=None,
                data=form.unit_data(),
                departments=form.cleaned_data["departments"],
            )
        except unit_services.UnitAdminError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Unité créée."))
            return redirect("administration:unit", unit_id=unit.pk)
    return render(request, "administration/unit_form.html", {"form": form, "unit": None})


@require_http_methods(["GET", "POST"])
@unit_managers_only
def unit_detail(request, unit_id):
    unit = _managed_unit(request.user, unit_id)
    administrator = request.user.is_administrator
    form = UnitForm(
        request.POST or None,
        instance=unit,
        editable=unit_services.editable_unit_fields(request.user),
        with_departments=administrator,
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit_services.unit_save(
                actor=request.user,
                unit=Unit.objects.get(pk=unit.pk),  # the form wrote into `unit`; compare with the row
                data=form.unit_data(),
                departments=form.cleaned_data["departments"] if administrator else None,
            )
        except unit_services.UnitAdminError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("administration:unit", unit_id=unit.pk)
    return render(request, "administration/unit.html", _unit_context(request, unit, form=form))


def _unit_context(request, unit: Unit, *, form, invite_form=None) -> dict:
    roles = staff_services.roles_invitable_by(request.user)
    members = (
        User.objects.filter(units=unit, role__in=[Role.AGENT, Role.SUPERVISOR])
        .annotate(held=Count("assigned_dossiers", filter=Q(assigned_dossiers__state__in=HELD_STATES)))
        .order_by("-is_active", "last_name", "first_name")
    )
    return {
        "unit": Unit.objects.prefetch_related("departments").get(pk=unit.pk),
        "form": form,
        "members": members,
        "can_deactivate": {role.value for role in roles},
        "invite_form": invite_form or InviteForm(roles=roles),
    }


@require_POST
@unit_managers_only
def staff_invite(request, unit_id):
    unit = _managed_unit(request.user, unit_id)
    roles = staff_services.roles_invitable_by(request.user)
    invite_form = InviteForm(request.POST, roles=roles)
    if invite_form.is_valid():
        data = invite_form.cleaned_data
        try:
            user = staff_services.staff_invite(
                actor=request.user,
                unit=unit,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                language=data["language"],
            )
        except staff_services.StaffAdminError as error:
            invite_form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": user.email})
            return redirect("administration:unit", unit_id=unit.pk)
    form = UnitForm(
        instance=unit,
        editable=unit_services.editable_unit_fields(request.user),
        with_departments=request.user.is_administrator,
    )
    context = _unit_context(request, unit, form=form, invite_form=invite_form)
    return render(request, "administration/unit.html", context, status=200)


@require_POST
@unit_managers_only
def staff_deactivate(request, user_id):
    managed = unit_services.units_administered_by(request.user)
    person = User.objects.filter(pk=user_id, units__in=managed).distinct().first()
    if person is None:
        raise Http404
    try:
        person = staff_services.staff_deactivate(actor=request.user, user=person)
    except staff_services.StaffAdminError as error:
        messages.error(request, error.message)
        return redirect("administration:unit", unit_id=person.units.filter(pk__in=managed).first().pk)
    held = (
        Dossier.objects.filter(assignee=person, state__in=HELD_STATES)
        .select_related("category")
        .order_by("submitted_at", "pk")
    )
    unit = person.units.filter(pk__in=managed).first()
    return render(
        request, "administration/staff_deactivated.html", {"person": person, "held": held, "unit": unit}
    )
