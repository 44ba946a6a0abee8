"""Follow-up pages for a unit's staff: the monthly reports, the renewal follow-up and its exports.
Scoped to the user's units: another unit's report answers 404."""

import csv
import io

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.backoffice.views import staff_required

from . import services
from .forms import RenewalFilterForm
from .models import MonthlyReport
from .renewals import renewal_export_rows, renewals_due

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_required
def reports(request):
    listed = MonthlyReport.objects.filter(unit_id__in=user_unit_ids(request.user)).select_related("unit")
    return render(request, "followup/reports.html", {"reports": listed.order_by("unit__name", "-month")})


@require_GET
@staff_required
def report_download(request, pk):
    report = MonthlyReport.objects.filter(pk=pk, unit_id__in=user_unit_ids(request.user)).first()
    if report is None:
        raise Http404
    services.report_download_record(report=report, actor=request.user)
    name = f"workinfrance-rapport-{report.unit_id}-{report.month:%Y-%m}.xlsx"
    return _private(
        FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
    )


def _renewal_selection(request):
    form = RenewalFilterForm(request.GET or None, units=request.user.units.order_by("name"))
    unit, days = form.chosen()
    if unit is None:
        raise Http404
    return form, unit, days, renewals_due(units=[unit], today=timezone.localdate(), within_days=days)


@require_GET
@staff_required
def renewals(request):
    form, unit, days, rows = _renewal_selection(request)
    context = {"form": form, "unit": unit, "days": days, "rows": rows, "query": request.GET.urlencode()}
    return _private(render(request, "followup/renewals.html", context))


def _export_record(request, unit, days, rows, export_format):
    services.renewals_export_record(
        unit=unit, actor=request.user, within_days=days, rows=len(rows), export_format=export_format
    )


@require_GET
@staff_required
def renewals_csv(request):
    _form, unit, days, rows = _renewal_selection(request)
    _export_record(request, unit, days, rows, "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="workinfrance-renouvellements.csv"'
    writer = csv.writer(response)
    for row in renewal_export_rows(rows):
        writer.writerow(["" if value is None else value for value in row])
    return _private(response)


@require_GET
@staff_required
def renewals_xlsx(request):
    from openpyxl import Workbook

    _form, unit, days, rows = _renewal_selection(request)
    _export_record(request, unit, days, rows, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Renouvellements")
    for row in renewal_export_rows(rows):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return _private(
        FileResponse(
            output, as_attachment=True, filename="workinfrance-renouvellements.xlsx", content_type=XLSX
        )
    )
