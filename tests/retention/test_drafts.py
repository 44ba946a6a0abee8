"""Unsubmitted drafts: the applicant is warned once, 14 days before; a draft touched again stays."""

import datetime

import pytest

from workinfrance.dossiers import services
from workinfrance.dossiers.models import Dossier
from workinfrance.outbox.models import OutboxMessage
from workinfrance.procedures.models import DocumentType

from tests.factories import UserFactory, attach_document, complete_draft
from tests.retention.helpers import at

pytestmark = pytest.mark.django_db

D = datetime.date
STARTED = D(2026, 1, 5)
WARNED = D(2026, 6, 21)  # 14 days before the end of the 6 months
DELETED = D(2026, 7, 5)


def warnings():
    return list(
        OutboxMessage.objects.filter(idempotency_key__startswith="email:retention-draft-warning:").order_by(
            "pk"
        )
    )


@pytest.fixture
def draft(applicant):
    with at(STARTED):
        return complete_draft(applicant=applicant)


def test_warned_once_then_deleted_at_the_end_of_the_period(draft, purge):
    names = list(draft.documents.values_list("file", flat=True))
    from django.core.files.storage import default_storage

    with at(WARNED - datetime.timedelta(days=1)):
        purge()
    assert warnings() == []
    with at(WARNED):
        purge()
    (warning,) = warnings()
    assert warning.payload["to"] == draft.applicant.email
    assert "05/07/2026" in warning.payload["subject"] and "supprimé" in warning.payload["subject"]
    assert "/demande/" in warning.payload["body"] or "http" in warning.payload["body"].lower()
    with at(WARNED + datetime.timedelta(days=1)):
        purge()
    assert len(warnings()) == 1  # once
    with at(DELETED - datetime.timedelta(days=1)):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists()
    with at(DELETED):
        run = purge()
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert run.counts["drafts"] == {"dossiers": 1, "documents": len(names), "files": len(names)}
    assert not any(default_storage.exists(name) for name in names)


def test_the_warning_is_in_the_applicants_language(purge):
    english = UserFactory(preferred_language="en")
    with at(STARTED):
        complete_draft(applicant=english)
    with at(WARNED):
        purge()
    (warning,) = warnings()
    assert warning.payload["subject"] == "Your draft application will be deleted on 05/07/2026"
    assert "Hello" in warning.payload["body"] and "Bonjour" not in warning.payload["body"]


def test_a_draft_edited_after_the_warning_stays_and_is_warned_again_later(draft, purge):
    with at(WARNED):
        purge()
    with at(D(2026, 6, 25)):
        services.dossier_draft_update(
            dossier=draft, actor=draft.applicant, changes={"job_title": "Apprentie"}
        )
    with at(DELETED):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists()
    # A new idle stretch: warned again 14 days before 25/12/2026, deleted on that day.
    with at(D(2026, 12, 10)):
        purge()
    assert len(warnings()) == 1
    with at(D(2026, 12, 11)):
        purge()
    assert len(warnings()) == 2 and "25/12/2026" in warnings()[-1].payload["subject"]
    with at(D(2026, 12, 24)):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists()
    with at(D(2026, 12, 25)):
        purge()
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_a_document_added_after_the_warning_keeps_the_draft(draft, purge):
    with at(WARNED):
        purge()
    with at(D(2026, 6, 30)):
        attach_document(draft, DocumentType.objects.filter(category=draft.category).first())
    with at(DELETED):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_never_deleted_without_the_full_warning_delay(draft, purge, settings):
    """A draft found past its period without a warning (the task was stopped) gets 14 more days."""
    with at(D(2026, 9, 1)):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists() and len(warnings()) == 1
    assert "15/09/2026" in warnings()[0].payload["subject"]
    with at(D(2026, 9, 14)):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists()
    with at(D(2026, 9, 15)):
        purge()
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_a_submitted_dossier_is_not_a_draft(draft, purge, paris):
    with at(D(2026, 1, 6)):
        services.dossier_submit(dossier=draft, actor=draft.applicant)
    with at(D(2027, 1, 6)):
        purge()
    assert Dossier.objects.filter(pk=draft.pk).exists() and warnings() == []


def test_a_document_added_later_moves_the_warning(draft, purge):
    with at(D(2026, 3, 1)):
        attach_document(draft, DocumentType.objects.filter(category=draft.category).first())
    with at(WARNED):
        purge()
    assert warnings() == []
    with at(D(2026, 8, 18)):  # 14 days before 01/09/2026
        purge()
    assert len(warnings()) == 1 and "01/09/2026" in warnings()[0].payload["subject"]
