import pytest
from django.utils import translation

from workinfrance.dossiers import services
from workinfrance.dossiers.errors import (
    ActorNotAllowed,
    DossierActionError,
    TransitionNotAllowed,
    UploadRefused,
)
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.uploads import detect_format, upload_check

from tests.dossiers.helpers import dossier_in_state, events_of, upload
from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, DossierFactory


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")],
)
def test_accepted_formats_are_recognised_by_content(content, expected):
    # Neither the name nor the browser says what it is: the bytes decide.
    checked = upload_check(upload(content, name="scan", content_type="application/octet-stream"))
    assert checked.content_type == expected
    assert checked.size == len(checked.file.read())
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("content", "name", "message_fr", "message_en"),
    [
        (b"MZ\x90\x00 executable renamed", "contrat.pdf", "n'est ni un PDF", "is not a PDF"),
        (b"PK\x03\x04 zip archive", "contrat.pdf", "n'est ni un PDF", "is not a PDF"),
        (b"<html><script>alert(1)</script>", "contrat.pdf", "n'est ni un PDF", "is not a PDF"),
        (b"", "contrat.pdf", "est vide", "is empty"),
        (PDF_BYTES + b"0" * 2048, "gros.pdf", "taille maximale", "maximum size"),
    ],
)
def test_refusals_explain_why_in_the_user_language(settings, content, name, message_fr, message_en):
    settings.WIF_UPLOAD_MAX_BYTES = 1024
    for language, expected in (("fr", message_fr), ("en", message_en)):
        with translation.override(language), pytest.raises(UploadRefused) as raised:
            upload_check(upload(content, name=name))
        assert expected in raised.value.message
        assert name in raised.value.message


def test_format_not_accepted_for_this_document_type():
    with pytest.raises(UploadRefused) as raised:
        upload_check(upload(PNG_BYTES, name="x.png", content_type="image/png"), accepted_formats=["pdf"])
    assert "PDF" in raised.value.message


def test_detect_format_needs_the_signature_at_the_start():
    assert detect_format(b"  %PDF-1.4") is None
    assert detect_format(b"%PDF-1.7") == "pdf"


def test_upload_stores_with_random_name_and_adds_to_the_type(applicant):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    first = services.document_upload(
        dossier=dossier,
        actor=applicant,
        document_type=passport,
        uploaded_file=upload(PDF_BYTES, "../../etc/passwd.pdf"),
    )
    assert first.original_name == "passwd.pdf"
    assert first.file.name.startswith(f"dossiers/{dossier.uuid}/")
    assert "passwd" not in first.file.name
    second = services.document_upload(
        dossier=dossier,
        actor=applicant,
        document_type=passport,
        uploaded_file=upload(JPEG_BYTES, "photo.jpg", "image/jpeg"),
    )
    first.refresh_from_db()
    # Front and back: both in force.
    assert first.superseded_at is None and second.superseded_at is None
    assert second.content_type == "image/jpeg"
    assert second.file.read()[:3] == JPEG_BYTES[:3]  # drawn again from its pixels
    assert events_of(dossier).count("document.upload") == 2


def test_refused_upload_creates_nothing(applicant):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    with pytest.raises(UploadRefused):
        services.document_upload(
            dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(b"GIF89a", "x.pdf")
        )
    assert dossier.documents.count() == 0


def test_only_the_owner_uploads_and_only_while_editable(applicant, other_applicant, paris, agent):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    with pytest.raises(ActorNotAllowed):
        services.document_upload(
            dossier=dossier, actor=other_applicant, document_type=passport, uploaded_file=upload(PDF_BYTES)
        )
    submitted = dossier_in_state(State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent)
    with pytest.raises(TransitionNotAllowed):
        services.document_upload(
            dossier=submitted, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES)
        )


def test_document_type_of_another_category_is_refused(applicant):
    dossier = DossierFactory(applicant=applicant)
    foreign = dossier.category.document_types.model.objects.exclude(category=dossier.category).first()
    with pytest.raises(services.DossierActionError):
        services.document_upload(
            dossier=dossier, actor=applicant, document_type=foreign, uploaded_file=upload(PDF_BYTES)
        )


def test_upload_allowed_when_complements_are_asked(applicant, paris, agent):
    dossier = dossier_in_state(State.AWAITING_COMPLEMENTS, applicant=applicant, unit=paris, assignee=agent)
    passport = dossier.category.document_types.get(code="passport")
    document = services.document_upload(
        dossier=dossier,
        actor=applicant,
        document_type=passport,
        uploaded_file=upload(PNG_BYTES, "p.png", "image/png"),
    )
    assert document.content_type == "image/png"


def test_a_type_holds_at_most_the_configured_number_of_files(applicant, settings):
    settings.WIF_UPLOAD_MAX_FILES_PER_TYPE = 2
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    for name in ("recto.pdf", "verso.pdf"):
        services.document_upload(
            dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, name)
        )
    with pytest.raises(DossierActionError) as raised:
        services.document_upload(
            dossier=dossier,
            actor=applicant,
            document_type=passport,
            uploaded_file=upload(PDF_BYTES, "trois.pdf"),
        )
    assert "trois.pdf" in raised.value.message and "2 fichiers" in raised.value.message
    assert dossier.documents.filter(superseded_at=None).count() == 2
    # One removed, one more fits.
    services.document_remove(dossier=dossier, actor=applicant, document=dossier.documents.first())
    services.document_upload(
        dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, "trois.pdf")
    )
    assert dossier.documents.filter(superseded_at=None).count() == 2


def test_remove_keeps_the_file_out_of_force_and_is_audited(applicant):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    document = services.document_upload(
        dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, "recto.pdf")
    )
    services.document_remove(dossier=dossier, actor=applicant, document=document)
    document.refresh_from_db()
    assert document.superseded_at is not None and document.file  # kept for the history
    assert events_of(dossier).count("document.remove") == 1
    services.document_remove(dossier=dossier, actor=applicant, document=document)  # twice: once
    assert events_of(dossier).count("document.remove") == 1


def test_remove_by_someone_else_or_once_filed_is_refused(applicant, paris):
    from tests.factories import UserFactory

    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    document = dossier.documents.first()
    with pytest.raises(TransitionNotAllowed):
        services.document_remove(dossier=dossier, actor=applicant, document=document)
    draft = DossierFactory(applicant=applicant)
    passport = draft.category.document_types.get(code="passport")
    mine = services.document_upload(
        dossier=draft, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, "recto.pdf")
    )
    with pytest.raises(ActorNotAllowed):
        services.document_remove(dossier=draft, actor=UserFactory(), document=mine)
    with pytest.raises(DossierActionError):
        services.document_remove(dossier=DossierFactory(applicant=applicant), actor=applicant, document=mine)
    mine.refresh_from_db()
    document.refresh_from_db()
    assert mine.superseded_at is None and document.superseded_at is None
