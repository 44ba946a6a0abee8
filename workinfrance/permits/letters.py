"""The signed decision letters (refusal, revocation) as PDF: an HTML template rendered by WeasyPrint,
in the applicant's language, then PAdES-signed with the permit's machinery (pades.py).

The appeal routes are the one legal text shown to the applicant (`dossiers/_appeal_routes.html`)."""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .pades import pades_sign
from .pdf import PDF_VARIANT, _with_pdfua_identification

if TYPE_CHECKING:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from .models import DecisionLetter


@cache
def _fonts_and_css() -> "tuple[FontConfiguration, weasyprint.CSS]":
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    font_file = finders.find("dsfr/dist/fonts/Marianne-Regular.woff2")
    font_dir = Path(font_file).parent.as_uri() if font_file else ""
    fonts = FontConfiguration()
    css = render_to_string("permits/pdf/decision_letter.css", {"font_dir": font_dir})
    return fonts, weasyprint.CSS(string=css, font_config=fonts)


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

    fonts, css = _fonts_and_css()
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
