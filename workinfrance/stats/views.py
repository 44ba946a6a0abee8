"""Public statistics page (with its CSV) and the supervisor's unit dashboard. Thin: see selectors."""

import csv
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workinfrance.core.db_router import replica_reads
from workinfrance.followup.models import MonthlyReport
from workinfrance.procedures.models import Category
from workinfrance.territories.models import Department, Unit

from . import charts
from .figures import Figures
from .forms import StatsFilterForm
from .selectors import CACHE_SECONDS, Filters, Report, report_get, unit_oldest_waiting, unit_workload


@dataclass(frozen=True)
class Row:
    label: str
    figures: Figures


def _labelled(report: Report) -> dict[str, list[Row]]:
    categories = {c.pk: c.label for c in Category.objects.all()}
    units = dict(Unit.objects.values_list("pk", "name"))
    codes = [code for code, _ in report.by_department]
    departments = {d.pk: str(d) for d in Department.objects.filter(pk__in=codes)}
    return {
        "month": [Row(date_format(month, "F Y"), f) for month, f in report.by_month],
        "category": [Row(categories[key], f) for key, f in report.by_category],
        "department": [Row(departments[key], f) for key, f in report.by_department],
        "unit": [Row(units[key], f) for key, f in report.by_unit],
    }


def _report_context(report: Report) -> dict:
    rows = _labelled(report)
    total = report.total
    first, last = date_format(report.months[0], "F Y"), date_format(report.months[-1], "F Y")
    return {
        "report": report,
        "total": total,
        "rows": rows,
        "period": {"first": first, "last": last},
        "volumes": charts.monthly_volumes(report.by_month),
        "volumes_desc": _(
            "Dossiers déposés par mois de %(first)s à %(last)s : %(filed)s au total, dont %(accepted)s acceptés, "
            "%(refused)s refusés, %(closed)s classés sans suite et %(in_progress)s encore en cours."
        )
        % {
            "first": first,
            "last": last,
            "filed": total.filed,
            "accepted": total.accepted,
            "refused": total.refused,
            "closed": total.closed,
            "in_progress": total.in_progress,
        },
        "trend": charts.processing_trend(report.by_month),
        "categories": charts.category_breakdown([(row.label, row.figures) for row in rows["category"]]),
    }


def public(request):
    form = StatsFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else Filters()
    with replica_reads():  # scale-out: the figures from the read replica, if any
        report = report_get(filters=filters)
    # The figures, charts and tables only change with the report: rendered once per version.
    key = f"stats:html:{report.key}:{get_language()}"
    report_html = cache.get(key)
    if report_html is None:
        report_html = render_to_string("stats/_public_report.html", _report_context(report), request=request)
        cache.set(key, report_html, CACHE_SECONDS)
    context = {"form": form, "query": request.GET.urlencode(), "report": report, "report_html": report_html}
    context["period"] = {
        "first": date_format(report.months[0], "F Y"),
        "last": date_format(report.months[-1], "F Y"),
    }
    return render(request, "stats/public.html", context)


CSV_COLUMNS = (
    ("filed", lambda f: f.filed),
    ("accepted", lambda f: f.accepted),
    ("refused", lambda f: f.refused),
    ("closed", lambda f: f.closed),
    ("in_progress", lambda f: f.in_progress),
    ("acceptance_rate", lambda f: f.acceptance_rate),
    ("complement_share", lambda f: f.complement_share),
    ("median_days", lambda f: f.median_days),
    ("p90_days", lambda f: f.p90_days),
    ("trimmed_mean_days", lambda f: f.trimmed_mean_days),
    ("applicant_days_mean", lambda f: f.applicant_days_mean),
    ("administration_days_mean", lambda f: f.administration_days_mean),
)


def _csv_value(value):
    if value is None:
        return ""
    return round(value, 4) if isinstance(value, float) else value


def public_csv(request):
    form = StatsFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else Filters()
    with replica_reads():  # scale-out: the figures from the read replica, if any
        report = report_get(filters=filters)
    rows = _labelled(report)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workinfrance-statistiques.csv"'
    writer = csv.writer(response)
    writer.writerow(["breakdown", "key", "label"] + [name for name, _ in CSV_COLUMNS])
    keyed = {
        "month": [m.isoformat()[:7] for m in report.months],
        "category": [key for key, _ in report.by_category],
        "department": [key for key, _ in report.by_department],
        "unit": [key for key, _ in report.by_unit],
    }
    writer.writerow(["total", "", _("Ensemble")] + [_csv_value(get(report.total)) for _, get in CSV_COLUMNS])
    for breakdown in ("month", "category", "department", "unit"):
        for key, row in zip(keyed[breakdown], rows[breakdown], strict=True):
            writer.writerow(
                [breakdown, key, row.label] + [_csv_value(get(row.figures)) for _, get in CSV_COLUMNS]
            )
    return response


@login_required
def unit(request):
    """The figures of one of the supervisor's units, its agents' workload and its oldest waiting files."""
    if not request.user.is_supervisor:
        raise PermissionDenied
    units = list(request.user.units.order_by("name"))
    wanted = request.GET.get("unit", "")
    chosen = (
        next((u for u in units if str(u.pk) == wanted), None) if wanted else (units[0] if units else None)
    )
    if chosen is None:
        raise Http404
    with replica_reads():  # scale-out: the figures from the read replica, if any
        report = report_get(filters=Filters(unit=chosen.pk))
    context = _report_context(report) | {
        "unit": chosen,
        "units": units,
        "workload": unit_workload(user=request.user, unit=chosen),
        "oldest": unit_oldest_waiting(user=request.user, unit=chosen),
        "reports": MonthlyReport.objects.filter(unit=chosen).select_related("unit").order_by("-month")[:24],
    }
    return render(request, "stats/unit.html", context)
