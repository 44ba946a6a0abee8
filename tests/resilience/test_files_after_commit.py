"""Files only for committed rows: staged, moved into place on commit, gone on rollback; storage_check."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models.signals import post_save

from workinfrance.core.files import file_stage, files_for_committed_rows, staged_name, upload_temp_files_clean
from workinfrance.core.models import Event
from workinfrance.core.storage_audit import storage_check, stored_files
from workinfrance.dossiers import services
from workinfrance.dossiers.models import Document
from workinfrance.permits.models import Permit
from workinfrance.permits.services import permit_pdf_issue

from tests.dossiers.helpers import upload
from tests.factories import PDF_BYTES, DossierFactory, complete_draft
from tests.permits.helpers import accept


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"


def files() -> list[str]:
    return sorted(stored_files(default_storage))


@pytest.fixture
def failing_event(request):
    """The audit event of `verb` fails to save: the transaction that wrote a file rolls back."""

    def connect(verb):
        def fail(sender, instance, created, **kwargs):
            if created and instance.verb == verb:
                raise RuntimeError(f"{verb} failed after the file was written")

        post_save.connect(fail, sender=Event, weak=False, dispatch_uid="test-failing-event")
        request.addfinalizer(lambda: post_save.disconnect(sender=Event, dispatch_uid="test-failing-event"))

    return connect


def test_an_upload_lands_in_place_only_when_its_row_commits(applicant, django_capture_on_commit_callbacks):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = services.document_upload(
            dossier=dossier,
            actor=applicant,
            document_type=passport,
            uploaded_file=upload(PDF_BYTES, "p.pdf"),
        )
    assert files() == [staged_name(document.file.name)]  # not in place before the commit
    assert document.file.read().startswith(b"%PDF-")  # readable all the same once the row is visible
    for callback in callbacks:
        callback()
    assert files() == [document.file.name]


def test_a_failed_upload_transaction_leaves_no_file(applicant, failing_event):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    failing_event("document.upload")
    with pytest.raises(RuntimeError):
        services.document_upload(
            dossier=dossier, actor=applicant, document_type=passport, uploaded_file=upload(PDF_BYTES, "p.pdf")
        )
    assert Document.objects.count() == 0
    assert files() == []


def test_a_failed_permit_pdf_leaves_no_pdf_and_the_retry_makes_one(
    applicant, agent, failing_event, django_capture_on_commit_callbacks
):
    failing_event("permit.pdf")
    accept(complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks)
    permit = Permit.objects.get()  # the decision stands; its PDF task failed
    pdfs = lambda: [name for name in files() if not name.startswith("dossiers/")]  # noqa: E731
    assert not permit.pdf and pdfs() == []  # no signed PDF lying around without its row

    post_save.disconnect(sender=Event, dispatch_uid="test-failing-event")
    with django_capture_on_commit_callbacks(execute=True):
        permit_pdf_issue(permit_id=permit.pk)
    permit.refresh_from_db()
    assert pdfs() == [permit.pdf.name] and permit.pdf.read().startswith(b"%PDF-")


def test_storage_check_finds_orphans_missing_files_and_unfinished_moves(applicant, capsys):
    dossier = DossierFactory(applicant=applicant)
    passport = dossier.category.document_types.get(code="passport")
    # A committed row whose process died before the move: the file is still staged.
    with files_for_committed_rows(), transaction.atomic():
        document = Document(
            dossier=dossier,
            document_type=passport,
            original_name="p.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
            uploaded_by=applicant,
        )
        file_stage(document.file, ContentFile(PDF_BYTES), filename="upload")
        document.save()
        transaction.get_connection().run_on_commit.clear()  # the process dies before the move
    # A file no row names, a row whose file is gone, a staged file of a rolled-back transaction.
    orphan = default_storage.save(f"dossiers/{dossier.uuid}/orphan", ContentFile(b"%PDF-x"))
    Document.objects.create(
        dossier=dossier,
        document_type=passport,
        file=f"dossiers/{dossier.uuid}/gone",
        original_name="g.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=applicant,
    )
    abandoned = default_storage.save(staged_name("dossiers/x/abandoned"), ContentFile(b"x"))

    report = storage_check()
    assert report.orphans == [orphan]
    assert report.missing == [f"dossiers.Document.file: dossiers/{dossier.uuid}/gone"]
    assert report.pending_moves == [staged_name(document.file.name)]
    assert report.temporary == [abandoned]
    with pytest.raises(CommandError):
        call_command("storage_check")
    assert (
        "orphan files: 1, rows without file: 1, pending moves: 1, temporary files: 1"
        in capsys.readouterr().out
    )

    # --fix: the move is finished at once; orphans and temporary files go only once old enough.
    with pytest.raises(CommandError):
        call_command("storage_check", "--fix")
    assert document.file.name in files() and orphan in files() and abandoned in files()
    Document.objects.filter(file__endswith="/gone").delete()
    call_command("storage_check", "--fix", "--orphan-min-age-hours", "0", "--temporary-min-age-seconds", "0")
    assert files() == [document.file.name]
    assert "fixed: 0 moved, 2 removed" in capsys.readouterr().out
    call_command("storage_check")
    assert (
        "orphan files: 0, rows without file: 0, pending moves: 0, temporary files: 0"
        in capsys.readouterr().out
    )


def test_upload_spools_of_killed_workers_are_removed_when_stale(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    stale = tmp_path / "spool" / "tmpabc.upload"
    fresh = tmp_path / "spool" / "tmpdef.upload"
    stale.write_bytes(b"half an upload")
    fresh.write_bytes(b"an upload in progress")
    old = time.time() - settings.WIF_UPLOAD_TEMP_MAX_AGE_SECONDS - 60
    os.utime(stale, (old, old))
    assert upload_temp_files_clean() == 1
    assert not stale.exists() and fresh.exists()
