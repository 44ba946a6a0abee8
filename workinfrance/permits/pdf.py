"""The permit as a PDF: HTML template rendered by WeasyPrint, in French with English headings.

Archival and accessible: PDF/A-3a (ISO 19005-3, level A: tagged, Unicode text), identified as PDF/UA-1
too (title shown, language, structure tree in reading order, alternative text of the QR code giving
the verification address). The permit's signed terms are attached as `permit.json` (AFRelationship
Data), so an HR system reads them without OCR; PAdES signs the whole file afterwards (pades.py).
"""

import base64
import datetime
import json
import uuid
from typing import TYPE_CHECKING

import cbor2
from django.conf import settings
from django.http import FileResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from workinfrance.core.links import absolute_url
from workinfrance.core.pdf_style import fonts_and_stylesheet

from . import seal
from .qr import QR_SIZE_MM, qr_png

if TYPE_CHECKING:
    from .models import Permit

PDF_VARIANT = "pdf/a-3a"
TERMS_ATTACHMENT = "permit.json"
# WeasyPrint writes the PDF/A identification; the PDF/UA one goes into the same RDF packet (a second
# packet would be dropped when pyHanko rewrites the metadata on signing).
PDFUA_DESCRIPTION = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
)


def _with_pdfua_identification(metadata) -> None:
    generate = metadata.generate_rdf_metadata

    def generate_rdf_metadata(*args, **kwargs) -> bytes:
        rdf = generate(*args, **kwargs)
        head, closing, tail = rdf.rpartition(b"</rdf:RDF>")
        return head + PDFUA_DESCRIPTION + closing + tail

    metadata.generate_rdf_metadata = generate_rdf_metadata


def bilingual(message, **params) -> tuple[str, str]:
    """The French text and its English translation, both printed on the permit."""
    texts = []
    for language in ("fr", "en"):
        with translation.override(language):
            texts.append(str(message) % params if params else str(message))
    return texts[0], texts[1]


def _date(value) -> str:
    return value.strftime("%d/%m/%Y")


def _sections(permit) -> list:
    hours = formats.number_format(permit.weekly_hours, 1, use_l10n=False).replace(".", ",")
    return [
        (
            bilingual(_("Titulaire")),
            [
                (bilingual(_("Nom")), permit.holder_last_name.upper()),
                (bilingual(_("Prénom(s)")), permit.holder_first_name),
                (bilingual(_("Date de naissance")), _date(permit.holder_birth_date)),
                (bilingual(_("Nationalité")), permit.holder_nationality or "—"),
            ],
        ),
        (
            bilingual(_("Employeur")),
            [
                (bilingual(_("Raison sociale")), permit.employer_name),
                (bilingual(_("SIRET")), permit.employer_siret),
            ],
        ),
        (
            bilingual(_("Emploi")),
            [
                (bilingual(_("Intitulé du poste")), permit.job_title),
                (
                    bilingual(_("Motif")),
                    " / ".join(
                        dict.fromkeys([permit.category.name, permit.category.name_en or permit.category.name])
                    ),
                ),
                (bilingual(_("Contrat")), permit.get_contract_type_display()),
                (bilingual(_("Durée hebdomadaire maximale")), f"{hours} h"),
            ],
        ),
        (
            bilingual(_("Validité")),
            [
                (bilingual(_("Du")), _date(permit.valid_from)),
                (bilingual(_("Au (inclus)")), _date(permit.valid_until)),
            ],
        ),
    ]


def _day(days: int) -> str:
    return (seal.EPOCH + datetime.timedelta(days=days)).isoformat()


def terms_json(seal_bytes: bytes) -> dict:
    """The signed claims of a seal, as JSON: the very values that were signed, with readable names."""
    claims = cbor2.loads(cbor2.loads(seal_bytes).value[2])
    fields = claims[seal.PERMIT_CLAIM]
    return {
        "format": "https://workinfrance.gouv.fr/seal/v1",
        "iss": claims[seal.CLAIM_ISS],
        "iat": claims[seal.CLAIM_IAT],
        "exp": claims[seal.CLAIM_EXP],
        "cti": str(uuid.UUID(bytes=claims[seal.CLAIM_CTI])),
        "permit": {
            "version": fields[seal.FIELD_VERSION],
            "number": fields[seal.FIELD_NUMBER],
            "last_name": fields[seal.FIELD_LAST_NAME],
            "first_name": fields[seal.FIELD_FIRST_NAME],
            "birth_date": _day(fields[seal.FIELD_BIRTH_DATE]),
            "employer_name": fields[seal.FIELD_EMPLOYER_NAME],
            "employer_siret": fields[seal.FIELD_EMPLOYER_SIRET],
            "category": fields[seal.FIELD_CATEGORY],
            "weekly_hours_tenths": fields[seal.FIELD_WEEKLY_HOURS_TENTHS],
            "valid_from": _day(fields[seal.FIELD_VALID_FROM]),
            "valid_until": _day(fields[seal.FIELD_VALID_UNTIL]),
        },
    }


def permit_html(permit, *, qr_text: str) -> str:
    with translation.override("fr"):
        context = {
            "permit": permit,
            "service_name": settings.WIF_SERVICE_NAME,
            "title": bilingual(_("Autorisation provisoire de travail")),
            "number_label": bilingual(_("Numéro de l'autorisation")),
            "sections": _sections(permit),
            "issued_line": bilingual(
                _("Délivrée le %(date)s par l'autorité soussignée"),
                date=_date(timezone.localtime(permit.issued_at)),
            ),
            "signed_note": bilingual(
                _(
                    "Document scellé électroniquement : la signature du PDF et le code QR attestent son authenticité."
                )
            ),
            "check_line": bilingual(
                _("Vérifiez-la : scannez ce code, ou saisissez le numéro et la date de naissance sur")
            ),
            "qr_png_base64": base64.b64encode(qr_png(qr_text)).decode("ascii"),
            "qr_alt": bilingual(
                _("Code QR du cachet électronique. Il ouvre l'adresse de vérification : %(address)s"),
                address=qr_text,
            ),
            "verify_url": absolute_url(reverse("permits:verify_form")),
        }
        return render_to_string("permits/pdf/permit.html", context)


def permit_pdf_render(permit, *, qr_text: str) -> bytes:
    import weasyprint

    fonts, css = fonts_and_stylesheet("permits/pdf/permit.css", qr_size_mm=QR_SIZE_MM)
    html = weasyprint.HTML(string=permit_html(permit, qr_text=qr_text), base_url=str(settings.BASE_DIR))
    document = html.render(stylesheets=[css], font_config=fonts, pdf_variant=PDF_VARIANT)
    _with_pdfua_identification(document.metadata)
    terms = json.dumps(terms_json(seal.seal_from_qr_text(qr_text)), ensure_ascii=False, indent=2)
    attachment = weasyprint.Attachment(
        string=terms,
        name=TERMS_ATTACHMENT,
        description="Signed terms of the permit (the claims of its QR seal)",
        relationship="Data",
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=[attachment])


def permit_pdf_response(permit: "Permit") -> FileResponse:
    """The stored, signed PDF as a download (the page and the API serve it alike), never cached."""
    response = FileResponse(
        permit.pdf.open("rb"),
        as_attachment=True,
        filename=f"{permit.number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
