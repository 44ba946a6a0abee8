"""The permit PDF for archives and for everyone, checked with poppler (someone else's reader):
PAdES signature valid, tagged, PDF/A-3 and PDF/UA-1 identified, the QR described, the signed terms attached."""

import datetime
import json
import subprocess

import cbor2
import pytest

from workinfrance.permits import seal, services
from workinfrance.permits.models import Permit


@pytest.fixture
def permit_pdf(issued_permit, tmp_path):
    path = tmp_path / "permit.pdf"
    path.write_bytes(Permit.objects.get(pk=issued_permit.pk).pdf.read())
    return path


def poppler(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def test_permit_pdf_is_archival_accessible_signed_and_carries_its_terms(issued_permit, permit_pdf, tmp_path):
    signature = poppler("pdfsig", str(permit_pdf))
    assert "Signature Validation: Signature is Valid." in signature
    assert "Total document signed" in signature

    info = poppler("pdfinfo", str(permit_pdf))
    assert "Tagged:          yes" in info
    assert f"Title:           Autorisation provisoire de travail {issued_permit.number}" in info
    metadata = poppler("pdfinfo", "-meta", str(permit_pdf))
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="A"' in metadata
    assert 'pdfuaid:part="1"' in metadata

    # Reading order and the QR code's alternative text, from the structure tree.
    structure = poppler("pdfinfo", "-struct-text", str(permit_pdf))
    assert structure.index("Autorisation provisoire de travail") < structure.index("Titulaire")
    from pyhanko.pdf_utils.reader import PdfFileReader

    with permit_pdf.open("rb") as handle:
        root = PdfFileReader(handle).root
        assert str(root["/Lang"]) == "fr" and root["/ViewerPreferences"]["/DisplayDocTitle"]
        alts = []

        def walk(node):
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, dict):
                if node.get("/S") == "/Figure":
                    alts.append(str(node.get("/Alt")))
                if "/K" in node:
                    walk(node["/K"])
            elif isinstance(node, list):
                for child in node:
                    walk(child)

        walk(root["/StructTreeRoot"])
    qr_text = services.permit_qr_text(issued_permit)
    assert any(qr_text in alt for alt in alts), alts

    # The attached terms are the signed claims, decoded here from the seal with cbor2 alone.
    assert "permit.json" in poppler("pdfdetach", "-list", str(permit_pdf))
    poppler("pdfdetach", "-save", "1", "-o", str(tmp_path / "terms.json"), str(permit_pdf))
    terms = json.loads((tmp_path / "terms.json").read_text())
    claims = cbor2.loads(cbor2.loads(seal.base32_decode(issued_permit.seal)).value[2])
    fields = claims[-65537]

    def day(days):
        return (datetime.date(1970, 1, 1) + datetime.timedelta(days=days)).isoformat()

    assert (terms["iss"], terms["iat"], terms["exp"]) == (claims[1], claims[6], claims[4])
    assert terms["cti"] == str(issued_permit.uuid) and claims[7] == issued_permit.uuid.bytes
    assert terms["permit"] == {
        "version": fields[0],
        "number": fields[1],
        "last_name": fields[2],
        "first_name": fields[3],
        "birth_date": day(fields[4]),
        "employer_name": fields[5],
        "employer_siret": fields[6],
        "category": fields[7],
        "weekly_hours_tenths": fields[8],
        "valid_from": day(fields[9]),
        "valid_until": day(fields[10]),
    }
    assert terms["permit"]["number"] == issued_permit.number
