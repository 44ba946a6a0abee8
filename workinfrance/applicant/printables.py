"""Printable PDFs for the filing (issue 15), rendered by WeasyPrint like the permit (permits/pdf.py):
the employer's mandate, prefilled from the dossier, to sign and upload at the mandate step; the
checklist of documents of a category, linked from the guide and the documents step. In the
language asked (French or English); nothing is stored: generated on each download."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from workinfrance.core.pdf_style import fonts_and_stylesheet
from workinfrance.dossiers.checks import active_conditions
from workinfrance.dossiers.models import Dossier
from workinfrance.procedures.models import Category, Condition, Requirement

LANGUAGES = ("fr", "en")


def _render(template: str, context: dict, language: str) -> bytes:
    import weasyprint

    fonts, css = fonts_and_stylesheet("applicant/pdf/printable.css")
    with translation.override(language):
        html = render_to_string(
            template, context | {"language": language, "service_name": settings.WIF_SERVICE_NAME}
        )
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[css], font_config=fonts
    )


def mandate_pdf(dossier: Dossier | None, *, language: str) -> bytes:
    """The mandate by which the employer entrusts the filing to the student or a mandatary: prefilled
    from `dossier`, or blank (the guide's model, to fill in by hand)."""
    return _render("applicant/pdf/mandate.html", {"dossier": dossier}, language)


def checklist_pdf(category: Category, *, language: str, dossier: Dossier | None = None) -> bytes:
    """The documents of a category: the mandatory ones, then those required in some situations
    (those that apply to `dossier`, when given, are marked)."""
    conditions = active_conditions(dossier) if dossier is not None else set()
    with translation.override(language):
        rows = [
            {
                "label": doc_type.label,
                "help": doc_type.help,
                "mandatory": doc_type.requirement == Requirement.MANDATORY,
                "condition": Condition(doc_type.condition).label if doc_type.condition else "",
                "applies": doc_type.requirement == Requirement.MANDATORY or doc_type.condition in conditions,
            }
            for doc_type in category.document_types.all()
        ]
        context = {"category": category, "rows": rows, "dossier": dossier, "category_label": category.label}
    return _render("applicant/pdf/checklist.html", context, language)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
