"""From acceptance to a signed PDF whose QR code verifies."""

import datetime
import io
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone

from workinfrance.core.events import events_for
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.terms import PermitTerms
from workinfrance.permits import pades, seal, services, tasks
from workinfrance.permits.keys import verification_keys
from workinfrance.permits.models import Permit

from tests.factories import complete_draft
from tests.permits.helpers import accept, verdict_in


def qr_texts_of_pdf(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=3).to_pil()
    # QR codes only: a line of the printed text can read as a linear barcode by chance.
    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_accept_produces_a_sealed_signed_pdf_whose_qr_verifies(issued_permit, client):
    permit = Permit.objects.get(pk=issued_permit.pk)
    assert permit.dossier.state == State.ACCEPTED
    assert permit.pdf and permit.pdf_issued_at
    assert permit.pdf.name.startswith("permits/")
    data = permit.pdf.read()
    assert data.startswith(b"%PDF-") and len(pypdfium2.PdfDocument(data)) == 1

    (text,) = qr_texts_of_pdf(data)
    assert text == services.permit_qr_text(permit)
    assert text.startswith("HTTP://127.0.0.1:8000/V/")
    claims = seal.verify_qr_text(text, verification_keys())
    assert claims.permit_id == permit.uuid and claims.number == permit.number
    assert claims.birth_date == permit.holder_birth_date and claims.weekly_hours == Decimal("35.0")
    assert permit.seal_kid == next(iter(verification_keys())).hex()

    response = client.get(text.split("127.0.0.1:8000", 1)[1])
    assert verdict_in(response) == "valid"
    assert "Autorisation authentique et valide" in response.content.decode()
    assert "Genuine and valid permit" in response.content.decode()

    assert pades.pades_check(data, roots=pades.trust_roots())
    assert [e.verb for e in events_for(permit)] == ["permit.issue", "permit.pdf"]


def test_the_pdf_is_bilingual_and_carries_what_must_be_compared(issued_permit):
    data = Permit.objects.get(pk=issued_permit.pk).pdf.read()
    page = pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range()
    for expected in (
        "Autorisation provisoire de travail",
        "Temporary work authorisation",
        "Holder",
        "Employer",
        "Validity",
        issued_permit.number,
        issued_permit.holder_last_name.upper(),
        "Boulangerie du Panthéon SARL",
        "Pour le préfet",
        "35,0 h",
    ):
        assert expected in page, expected


def test_one_changed_byte_fails_the_pades_check(issued_permit, tmp_path):
    data = Permit.objects.get(pk=issued_permit.pk).pdf.read()
    roots = pades.trust_roots()
    assert pades.pades_check(data, roots=roots)
    # Inside the page content, inside the signed attributes' digest area, and near the end.
    for position in (len(data) // 3, len(data) // 2, len(data) - 40):
        altered = bytearray(data)
        altered[position] ^= 0x01
        assert not pades.pades_check(bytes(altered), roots=roots), position
    # Only our key infrastructure counts: a signature is not trusted under an unrelated CA.
    pades.development_ca_create(tmp_path / "stranger")
    assert not pades.pades_check(data, roots=pades.certificates_load([tmp_path / "stranger" / "ca.cert.pem"]))


def test_a_failing_pdf_is_retried_and_the_sweep_issues_it_once_the_worker_recovers(
    applicant, agent, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []

    def broken(permit, *, qr_text):
        calls.append(permit.pk)
        raise OSError("WeasyPrint worker out of memory")

    monkeypatch.setattr(services, "permit_pdf_render", broken)
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    permit.refresh_from_db()
    assert permit.dossier.state == State.ACCEPTED  # the decision stands
    assert not permit.pdf
    assert len(calls) > 1  # retried
    assert list(Permit.objects.filter(pdf="").values_list("pk", flat=True)) == [permit.pk]

    monkeypatch.undo()
    assert tasks.issue_missing_permit_pdfs() == [permit.number]
    permit.refresh_from_db()
    assert permit.pdf and qr_texts_of_pdf(permit.pdf.read()) == [services.permit_qr_text(permit)]
    first_name = permit.pdf.name
    assert tasks.issue_missing_permit_pdfs() == []  # idempotent
    services.permit_pdf_issue(permit_id=permit.pk)
    permit.refresh_from_db()
    assert permit.pdf.name == first_name


def test_the_broker_being_down_does_not_break_the_acceptance(
    applicant, agent, django_capture_on_commit_callbacks, monkeypatch
):
    def no_broker(**kwargs):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(tasks.issue_permit_pdf, "delay", no_broker)
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    assert permit.dossier.state == State.ACCEPTED and not permit.pdf
    monkeypatch.undo()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("issue_missing_permit_pdfs", stdout=out)
    assert permit.number in out.getvalue()
    permit.refresh_from_db()
    assert permit.pdf


def test_an_expired_permit_still_verifies_as_genuine(applicant, agent, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    terms = PermitTerms(
        validity_start=today - datetime.timedelta(days=200),
        validity_end=today - datetime.timedelta(days=1),
        weekly_hours=Decimal("20.0"),
    )
    permit = accept(
        complete_draft(applicant=applicant),
        agent=agent,
        capture=django_capture_on_commit_callbacks,
        terms=terms,
        filed_at=timezone.now() - datetime.timedelta(days=250),
    )
    claims = seal.verify_qr_text(services.permit_qr_text(permit), verification_keys())
    assert claims.valid_until == terms.validity_end
    assert claims.expires_at == int(
        timezone.make_aware(datetime.datetime.combine(today, datetime.time())).timestamp()
    )


@pytest.mark.postgres
def test_two_workers_issue_one_pdf(issued_permit):
    """On PostgreSQL the row lock makes the second call wait and then see the PDF already there."""
    Permit.objects.filter(pk=issued_permit.pk).update(pdf="")
    first = services.permit_pdf_issue(permit_id=issued_permit.pk)
    second = services.permit_pdf_issue(permit_id=issued_permit.pk)
    assert first.pdf.name == second.pdf.name
    assert reverse("permits:download", kwargs={"number": first.number}).endswith("/pdf/")


def test_weasyprint_subsets_fonts_with_harfbuzz_not_fonttools(issued_permit, caplog):
    """HarfBuzz's subsetter (Debian libharfbuzz-subset0, installed by make test) is what keeps a
    permit's rendering near 100 ms of CPU: the fontTools fallback costs five times more and WeasyPrint
    announces it with a warning, which this test would see."""
    from weasyprint.text.ffi import harfbuzz_subset

    from workinfrance.permits.pdf import permit_pdf_render

    assert harfbuzz_subset is not None, "install Debian's libharfbuzz-subset0"
    with caplog.at_level("WARNING", logger="weasyprint"):
        permit_pdf_render(issued_permit, qr_text=services.permit_qr_text(issued_permit))
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]
