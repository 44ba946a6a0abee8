"""A dossier's life from filing to purge, each step at its date (frozen time), with the permit still
verifying afterwards, the statistics unchanged and the files gone from storage."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from workinfrance.core.models import Event
from workinfrance.dossiers import party_services, services
from workinfrance.dossiers.models import Document, Dossier, DossierParty, Message
from workinfrance.permits.models import Permit
from workinfrance.permits.services import permits_pdf_issue_missing
from workinfrance.retention.models import PurgeRun
from workinfrance.retention.services import DOSSIER_PERSONAL_FIELDS, retention_purge
from workinfrance.stats.models import DossierFact, MonthlyCell
from workinfrance.stats.services import facts_compute, stats_rebuild

from tests.factories import complete_draft
from tests.permits.helpers import verdict_in
from tests.retention.helpers import at

pytestmark = pytest.mark.django_db

D = datetime.date
FILED = D(2026, 1, 5)
DECIDED = D(2026, 1, 7)
VALID_FROM, VALID_UNTIL = D(2026, 2, 1), D(2026, 7, 31)
# Documents: 3 months after the permit's end; the dossier: 24 months after it (the settings' defaults).
DOCUMENTS_GO = D(2026, 10, 31)
DOSSIER_GOES = D(2028, 7, 31)
PERSONAL = ["Amina", "Haddad", "14/03/2002", "2002-03-14", "Boulangerie", "Alger"]


def day_before(day):
    return day - datetime.timedelta(days=1)


def file_exists(field_file_name) -> bool:
    from django.core.files.storage import default_storage

    return default_storage.exists(field_file_name)


def stats_snapshot():
    facts = list(DossierFact.objects.order_by("pk").values())
    cells = sorted(
        (
            c["level"],
            str(c["month"]),
            c["category_id"],
            c["department_id"],
            c["unit_id"],
            c["filed"],
            c["accepted"],
        )
        for c in MonthlyCell.objects.values()
    )
    return facts, cells


@pytest.fixture
def accepted(applicant, agent, django_capture_on_commit_callbacks):
    """Filed on FILED, accepted on DECIDED for VALID_FROM..VALID_UNTIL, its PDF issued, a message posted."""
    with at(FILED):
        dossier = complete_draft(applicant=applicant)
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_submit(dossier=dossier, actor=applicant)
    with at(DECIDED):
        services.dossier_take(dossier=dossier, actor=agent)
        services.message_post(dossier=dossier, actor=agent, body="Bienvenue Amina Haddad.")
        terms = services.PermitTerms(
            validity_start=VALID_FROM, validity_end=VALID_UNTIL, weekly_hours=Decimal("20")
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_accept(dossier=dossier, actor=agent, terms=terms)
    dossier.refresh_from_db()
    return dossier


def test_an_accepted_dossier_from_filing_to_purge(accepted, client, purge):
    permit = accepted.permits.get()
    seal, pdf_name = permit.seal, permit.pdf.name
    document_names = list(accepted.documents.values_list("file", flat=True))
    assert pdf_name and document_names and all(file_exists(name) for name in [pdf_name, *document_names])
    with at(DECIDED):
        stats_rebuild()
        before = stats_snapshot()
    assert before[0][0]["outcome"] == "accepted"

    with at(VALID_UNTIL):
        assert verdict_in(client.get(f"/V/{seal}")) == "valid"
    with at(VALID_UNTIL + datetime.timedelta(days=1)):
        assert verdict_in(client.get(f"/V/{seal}")) == "expired"

    # Documents: nothing the day before, every file gone on the day; the rest of the dossier stays.
    with at(day_before(DOCUMENTS_GO)):
        purge()
    assert accepted.documents.count() == len(document_names)
    with at(DOCUMENTS_GO):
        purge()
    assert accepted.documents.count() == 0
    assert not any(file_exists(name) for name in document_names)
    accepted.refresh_from_db()
    assert accepted.student_first_name == "Amina" and accepted.purged_at is None

    # The dossier: nothing the day before, erased on the day.
    with at(day_before(DOSSIER_GOES)):
        purge()
    accepted.refresh_from_db()
    assert accepted.purged_at is None and accepted.student_last_name.startswith("Haddad")
    with at(DOSSIER_GOES):
        run = purge()
    assert run.counts["dossiers"] == {
        "dossiers": 1,
        "permits": 1,
        "documents": 0,
        "messages": 1,
        "notes": 0,
        "opinions": 0,
        "decision_letters": 0,
        "files": 1,
    }

    accepted.refresh_from_db()
    assert accepted.purged_at is not None
    assert all(getattr(accepted, name) in ("", None) for name in DOSSIER_PERSONAL_FIELDS)
    assert not Message.objects.filter(dossier=accepted).exists()
    permit.refresh_from_db()
    row = {f.name: getattr(permit, f.name) for f in Permit._meta.concrete_fields}
    assert permit.purged_at is not None and permit.holder_birth_date is None and not permit.pdf
    assert not any(str(value).find(text) >= 0 for value in row.values() for text in PERSONAL)
    assert (permit.number, permit.valid_from, permit.valid_until) == (permit.number, VALID_FROM, VALID_UNTIL)
    assert not file_exists(pdf_name)

    # The printed QR code still verifies, as "expired", with no personal data, in both languages.
    with at(DOSSIER_GOES):
        for language in ("fr", "en"):
            response = client.get(f"/V/{seal}?lang={language}")
            assert verdict_in(response) == "expired"
            page = response.content.decode()
            assert not [text for text in PERSONAL if text in page]
            assert "Données personnelles effacées après la durée de conservation" in page
            assert "31/07/2026" in page and permit.number in page
        out = io.StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("verify_permit", f"HTTPS://WIF.TEST/V/{seal}", stdout=out)
        assert exit_.value.code != 0 and "EXPIRED" in out.getvalue() and "erased" in out.getvalue()
        # The PDF sweep does not try to issue a PDF for it again.
        assert permits_pdf_issue_missing() == []

    # Statistics: the same facts and cells, still equal to a replay of the events.
    with at(DOSSIER_GOES):
        assert stats_snapshot() == before
        stats_rebuild()
        assert stats_snapshot() == before
        replay = facts_compute([accepted.pk])[accepted.pk]
        assert (replay.outcome, replay.processing_days) == ("accepted", 2)
        out = io.StringIO()
        call_command("stats_check", stdout=out)
        assert out.getvalue().startswith("OK")

    # Every purge batch left one event, with counts only.
    events = Event.objects.filter(verb="retention.purge").order_by("pk")
    assert [e.data["kind"] for e in events.filter(target_id=str(run.pk))] == ["dossiers"]
    # The trail of October 2026 (the documents' purge) is itself past its 12 months by now; the
    # dossier's lifecycle events stay, the statistics are replayed from them.
    assert not events.filter(data__kind="documents").exists()
    assert (
        Event.objects.filter(
            target_id=str(accepted.pk), verb__in=["dossier.submit", "dossier.accept"]
        ).count()
        == 2
    )
    for event in events:
        assert event.target_type == "retention.purgerun" and event.actor is None
        assert all(isinstance(value, int) for key, value in event.data.items() if key != "kind")
    assert PurgeRun.objects.count() == 4


def test_the_purge_erases_the_parties_addresses_and_pending_invitations(accepted, other_applicant, purge):
    token = party_services.party_invite(
        dossier=accepted, actor=accepted.applicant, side="employer", email=other_applicant.email
    )
    party_services.party_accept(token=token, user=other_applicant)
    party_services.party_invite(
        dossier=accepted, actor=accepted.applicant, side="mandatary", email="mandataire@example.test"
    )
    with at(DOSSIER_GOES):
        purge()
    parties = DossierParty.objects.filter(dossier=accepted)
    assert list(parties.values_list("side", "email")) == [("employer", "")]


def test_a_refused_dossier_goes_two_years_after_the_decision(applicant, agent, purge):
    with at(FILED):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
        services.dossier_take(dossier=dossier, actor=agent)
    with at(D(2026, 1, 20)):
        services.dossier_refuse(dossier=dossier, actor=agent, reason="hours", comment="Amina Haddad : 40 h.")
    documents = dossier.documents.count()
    with at(D(2026, 4, 19)):
        purge()
    assert Document.objects.filter(dossier=dossier).count() == documents
    with at(D(2026, 4, 20)):
        purge()
    assert not Document.objects.filter(dossier=dossier).exists()
    with at(D(2028, 1, 19)):
        purge()
    assert Dossier.objects.get(pk=dossier.pk).decision_comment
    with at(D(2028, 1, 20)):
        purge()
    dossier.refresh_from_db()
    assert dossier.purged_at and dossier.decision_comment == "" and dossier.student_birth_date is None
    assert dossier.refusal_reason == "hours" and dossier.state == "refused"  # codes stay, for the figures


def test_a_dossier_in_progress_is_never_purged(applicant, agent, purge):
    with at(FILED):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
    with at(D(2036, 1, 1)):
        purge()
    dossier.refresh_from_db()
    assert dossier.purged_at is None and dossier.documents.exists()


def test_a_reopened_dossier_waits_for_its_new_decision(accepted, supervisor, purge):
    with at(D(2026, 3, 1)):
        services.dossier_reopen(dossier=accepted, actor=supervisor, reason="Erreur matérielle.")
    with at(DOSSIER_GOES):
        purge()
    accepted.refresh_from_db()
    assert accepted.state == "in_review" and accepted.purged_at is None and accepted.student_first_name


def test_a_failed_batch_keeps_rows_and_files(accepted, monkeypatch, purge):
    """Files go only once the batch has committed: a batch that fails keeps both."""
    from workinfrance.retention import services as retention_services

    names = list(accepted.documents.values_list("file", flat=True))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention_services, "_record", broken)
    with at(DOSSIER_GOES), pytest.raises(RuntimeError):
        purge()
    assert accepted.documents.count() == len(names) and all(file_exists(name) for name in names)
    accepted.refresh_from_db()
    assert accepted.purged_at is None


def test_batches_are_bounded_and_each_writes_its_event(applicant, agent, purge):
    with at(FILED):
        dossiers = [complete_draft(applicant=applicant) for _ in range(5)]
        for dossier in dossiers:
            services.dossier_submit(dossier=dossier, actor=applicant)
            services.dossier_take(dossier=dossier, actor=agent)
            services.dossier_close(dossier=dossier, actor=agent, comment="Désistement.")
    with at(D(2028, 1, 5)):
        run = purge(batch_size=2)
    assert run.counts["dossiers"]["dossiers"] == 5
    dossier_events = Event.objects.filter(verb="retention.purge", data__kind="dossiers")
    assert sorted(e.data["dossiers"] for e in dossier_events) == [1, 2, 2]


def test_the_command_refuses_bad_input():
    with pytest.raises(CommandError, match="--date"):
        call_command("purge_personal_data", "--date", "31/12/2026")
    with pytest.raises(CommandError, match="batch-size"):
        call_command("purge_personal_data", "--batch-size", "0")


def test_the_page_shown_before_the_purge_is_not_shown_after_it(accepted, client, purge):
    """Same day, same verdict: the remembered page and the cached status must not outlive the purge."""
    seal = accepted.permits.get().seal
    with at(DOSSIER_GOES):
        assert "Amina" in client.get(f"/V/{seal}").content.decode()
        purge()
        page = client.get(f"/V/{seal}").content.decode()
    assert "Amina" not in page and "Données personnelles effacées" in page


@pytest.mark.postgres  # row locks: run in the PostgreSQL stage, never skipped
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows
def test_a_dossier_locked_by_someone_else_waits_for_the_next_run(applicant, agent, paris):
    with at(FILED):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
        services.dossier_take(dossier=dossier, actor=agent)
        services.dossier_close(dossier=dossier, actor=agent, comment="Désistement.")
    locked, release = threading.Event(), threading.Event()

    def agent_holds_the_row():
        try:
            with transaction.atomic():
                Dossier.objects.select_for_update().get(pk=dossier.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=agent_holds_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        with at(D(2028, 1, 5)):
            run = retention_purge()  # does not wait for the lock
        assert run.counts["dossiers"]["dossiers"] == 0
        assert Dossier.objects.get(pk=dossier.pk).purged_at is None
    finally:
        release.set()
        holder.join()
    with at(D(2028, 1, 6)):
        assert retention_purge().counts["dossiers"]["dossiers"] == 1


def test_purged_dossiers_still_open_in_the_back_office_and_for_the_applicant(accepted, agent, client, purge):
    with at(DOSSIER_GOES):
        purge()
        client.force_login(agent)
        assert client.get(f"/instruction/dossiers/{accepted.uuid}/").status_code == 200
        assert client.get("/instruction/").status_code == 200
        client.force_login(accepted.applicant)
        assert client.get(f"/demarche/dossiers/{accepted.uuid}/").status_code == 200
        assert client.get("/demarche/").status_code == 200


def test_the_api_answers_for_a_purged_dossier_and_permit(accepted, supervisor, paris, client, purge):
    from tests.api.helpers import call, make_token

    with at(DOSSIER_GOES):
        purge()
        token = make_token(supervisor, unit=paris)
        response = call(client, "GET", f"/api/v1/unit/dossiers/{accepted.number}", token)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert not [text for text in PERSONAL if text in body]


def test_a_refusals_signed_letter_goes_with_the_dossiers_personal_data(
    applicant, agent, purge, django_capture_on_commit_callbacks
):
    """Issue 15: the decision letter names the person; kept while the dossier is, erased with it."""
    from workinfrance.dossiers.models import RefusalReason
    from workinfrance.permits.models import DecisionLetter
    from workinfrance.permits.services import decision_letters_pdf_issue_missing

    with at(FILED):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
    with at(DECIDED):
        services.dossier_take(dossier=dossier, actor=agent)
        services.dossier_refuse(dossier=dossier, actor=agent, reason=RefusalReason.HOURS, comment="35 h")
        with django_capture_on_commit_callbacks(execute=True):  # the file lands once its row commits
            assert decision_letters_pdf_issue_missing()
    letter = DecisionLetter.objects.get(dossier=dossier)
    assert file_exists(letter.pdf.name)
    refused_goes = D(2028, 1, 7)  # 24 months after the decision (WIF_RETENTION_DECIDED_MONTHS)
    with at(day_before(refused_goes)):
        purge()
    assert DecisionLetter.objects.filter(pk=letter.pk).exists()
    with at(refused_goes):
        run = purge()
    assert run.counts["dossiers"]["decision_letters"] == 1
    assert not DecisionLetter.objects.filter(dossier=dossier).exists()
    assert not file_exists(letter.pdf.name)
