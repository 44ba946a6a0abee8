"""The monthly report as an XLSX workbook (openpyxl): a summary per department, the counts by
category and by nationality, and the definitions. Written in the active language (French when
produced by the monthly task)."""

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from workinfrance.procedures.models import Category
from workinfrance.territories.models import Department

from .renewals import spreadsheet_text
from .report_figures import ReportFigures


def _bold():
    from openpyxl.styles import Font  # imported where used: a workbook is made once a month

    return Font(bold=True)


def _header(sheet, *titles) -> None:
    sheet.append([str(title) for title in titles])
    for cell in sheet[sheet.max_row]:
        cell.font = _bold()


def _median(value):
    return round(value, 1) if value is not None else None


def report_workbook(*, unit, figures: ReportFigures) -> bytes:
    departments = {d.code: str(d) for d in Department.objects.filter(code__in=list(figures.departments))}
    categories = {c.pk: c.label for c in Category.objects.all()}
    month = date_format(figures.month, "F Y")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()

    summary = workbook.active
    summary.title = _("Synthèse")
    summary.append([_("Rapport mensuel de %(unit)s, %(month)s") % {"unit": unit.name, "month": month}])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([])
    _header(
        summary,
        _("Département"),
        _("Déposés"),
        _("Acceptés"),
        _("Refusés"),
        _("Délai médian (jours)"),
        _("Acceptés, validité < 3 mois"),
        _("Acceptés, validité ≥ 3 mois"),
    )
    rows = [(departments.get(code, code), f) for code, f in figures.departments.items()]
    rows.append((_("Total"), figures.total))
    for label, f in rows:
        summary.append(
            [label, f.filed, f.accepted, f.refused, _median(f.median_days), f.validity_short, f.validity_long]
        )
    summary[summary.max_row][0].font = _bold()

    by_category = workbook.create_sheet(_("Par catégorie"))
    _header(by_category, _("Département"), _("Catégorie"), _("Déposés"), _("Acceptés"), _("Refusés"))
    for (code, category), c in sorted(
        figures.by_category.items(), key=lambda item: (item[0][0], categories[item[0][1]])
    ):
        by_category.append(
            [departments.get(code, code), categories[category], c.filed, c.accepted, c.refused]
        )

    by_nationality = workbook.create_sheet(_("Par nationalité"))
    _header(by_nationality, _("Département"), _("Nationalité"), _("Déposés"), _("Acceptés"), _("Refusés"))
    # Most frequent first in each department, as the original report listed the top nationalities.
    ordered = sorted(
        figures.by_nationality.items(),
        key=lambda item: (item[0][0], -item[1].filed - item[1].accepted, item[0][1]),
    )
    for (code, nationality), c in ordered:
        by_nationality.append(
            [
                departments.get(code, code),
                spreadsheet_text(nationality) or _("Non renseignée"),
                c.filed,
                c.accepted,
                c.refused,
            ]
        )

    definitions = workbook.create_sheet(_("Définitions"))
    for line in (
        _("Déposés : dossiers déposés pour la première fois pendant le mois."),
        _("Acceptés, refusés : décisions prises pendant le mois, quelle que soit la date de dépôt."),
        _("Délai médian : jours calendaires du premier dépôt à la décision, sur les décisions du mois."),
        _("Validité : durée de l'autorisation délivrée pour les dossiers acceptés pendant le mois."),
        _("Département : celui de l'adresse du titre de séjour de l'étudiant."),
    ):
        definitions.append([line])

    for sheet in workbook.worksheets:
        sheet.column_dimensions["A"].width = 32
        sheet.column_dimensions["B"].width = 24
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
