"""The signed decision letters (refusal, revocation) as PDF: an HTML template rendered by WeasyPrint,
in the applicant's language, then PAdES-signed with the permit's machinery (pades.py).

The appeal routes are the one legal text shown to the applicant (`dossiers/_appeal_routes.html`)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from workinfrance.core.pdf_style import fonts_and_stylesheet

from .pades import pades_sign
from .pdf import PDF_VARIANT, _with_pdfua_identification

if TYPE_CHECKING:
    from .models import DecisionLetter


def decision_letter_html(letter: "DecisionLetter") -> str:
    with translation.override(letter.language):
        context = {
            "letter": letter,
            "service_name": settings.WIF_SERVICE_NAME,
            "decided_on": timezone.localtime(letter.decided_at).date(),
            "permit": letter.permit,
            # What the appeal routes' template reads from a dossier: the unit that decided.
            "dossier": {"unit": letter.unit},
            "language": letter.language,
        }
        return render_to_string("permits/pdf/decision_letter.html", context)


def decision_letter_pdf_render(letter: "DecisionLetter") -> bytes:
    import weasyprint

    fonts, css = fonts_and_stylesheet("permits/pdf/decision_letter.css")
    html = weasyprint.HTML(string=decision_letter_html(letter), base_url=str(settings.BASE_DIR))
    document = html.render(stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT)
    _with_pdfua_identification(document.metadata)
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def decision_letter_pdf_bytes(letter: "DecisionLetter") -> bytes:
    """Render, then sign as PAdES: the bytes stored and downloaded."""
    return pades_sign(
        decision_letter_pdf_render(letter),
        reason=f"Décision {letter.kind} {letter.dossier_number}"[:100],
        location=letter.unit.name[:100],
    )
