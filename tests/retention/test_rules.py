"""The other rules: audit events, inactive accounts, the dry run, the daily task and the
personal-data page that reads the same periods."""

import datetime
import io

import pytest
from django.core.management import call_command

from workinfrance.accounts.models import User
from workinfrance.core.events import event_record
from workinfrance.core.models import Event
from workinfrance.dossiers import party_services, services
from workinfrance.dossiers.models import Document, Dossier
from workinfrance.oidc.models import OidcIdentity
from workinfrance.outbox.models import OutboxMessage
from workinfrance.retention.models import PurgeRun
from workinfrance.retention.tasks import purge_personal_data

from tests.factories import UserFactory, complete_draft
from tests.retention.helpers import PARIS, at

pytestmark = pytest.mark.django_db
D = datetime.date


def test_audit_events_go_after_twelve_months_but_not_the_lifecycle(applicant, agent, paris, purge):
    with at(D(2026, 1, 5)):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
        event_record(actor=agent, verb="dossier.view", target=dossier)
    with at(D(2027, 1, 4)):
        purge()
    assert Event.objects.filter(verb="dossier.view").exists()
    with at(D(2027, 1, 5)):
        run = purge()
    assert not Event.objects.filter(verb__in=["dossier.view", "dossier.create"]).exists()
    assert Event.objects.filter(verb="dossier.submit", target_id=str(dossier.pk)).exists()
    assert run.counts["events"] == {"events": 1}


def test_inactive_applicants_are_anonymised_once_nothing_of_theirs_is_kept(agent, paris, purge):
    with at(D(2026, 1, 5)):
        idle = UserFactory(first_name="Amina", last_name="Haddad")
        User.objects.filter(pk=idle.pk).update(last_login=datetime.datetime(2026, 1, 5, tzinfo=PARIS))
        OidcIdentity.objects.create(user=idle, provider="franceconnect", sub="fc-sub-123")
        holding = UserFactory()
        held = complete_draft(applicant=holding)
        services.dossier_submit(dossier=held, actor=holding)
        # A co-applicant who joined it, idle since (issue 15): kept as long as the dossier's data are.
        joined = UserFactory()
        User.objects.filter(pk=joined.pk).update(last_login=datetime.datetime(2026, 1, 5, tzinfo=PARIS))
        token = party_services.party_invite(dossier=held, actor=holding, side="employer", email=joined.email)
        party_services.party_accept(token=token, user=joined)
        staff = UserFactory(role="agent")
    with at(D(2028, 1, 4)):
        purge()
    idle.refresh_from_db()
    assert idle.email.endswith("@example.test") and idle.is_active
    with at(D(2028, 1, 5)):
        run = purge()
    idle.refresh_from_db()
    assert idle.email == f"compte-{idle.pk}@compte-efface.invalid"
    assert (idle.first_name, idle.last_name, idle.is_active, idle.has_usable_password()) == (
        "",
        "",
        False,
        False,
    )
    assert not OidcIdentity.objects.filter(user=idle).exists()
    holding.refresh_from_db()
    staff.refresh_from_db()
    joined.refresh_from_db()
    assert holding.is_active and holding.email.endswith("@example.test")  # its dossier is still kept
    assert joined.is_active and joined.email.endswith("@example.test")
    assert staff.is_active and staff.email.endswith("@example.test")
    assert run.counts["accounts"] == {"accounts": 1}
    with at(D(2028, 1, 6)):
        assert purge().counts["accounts"] == {}  # done once


def _table_state():
    return (
        list(Dossier.objects.order_by("pk").values()),
        Document.objects.count(),
        Event.objects.count(),
        OutboxMessage.objects.count(),
        PurgeRun.objects.count(),
        list(User.objects.order_by("pk").values("email", "is_active")),
    )


def test_the_dry_run_shows_counts_and_dates_and_changes_nothing(applicant, agent, paris):
    with at(D(2026, 1, 5)):
        complete_draft(applicant=applicant)
        refused = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=refused, actor=applicant)
        services.dossier_take(dossier=refused, actor=agent)
    with at(D(2026, 1, 20)):
        services.dossier_refuse(dossier=refused, actor=agent, reason="hours", comment="")
    documents = refused.documents.count()
    before = _table_state()
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", "--date", "2026-04-20", stdout=out)
    lines = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()[2:]}
    assert lines["documents"][0] == str(documents)
    assert lines["dossiers"] == ["0", "2028-01-20"]
    assert lines["draft_warnings"] == ["0", "2026-06-21"]
    assert lines["drafts"] == ["0", "2026-07-05"]
    assert lines["events"][0] == "0"
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", "--date", "2026-04-19", stdout=out)
    lines = {line.split()[0]: line.split()[1:] for line in out.getvalue().splitlines()[2:]}
    assert lines["documents"] == ["0", "2026-04-20"]
    assert _table_state() == before


def test_the_command_and_the_daily_task_purge(applicant, agent, paris, django_capture_on_commit_callbacks):
    with at(D(2026, 1, 5)):
        dossier = complete_draft(applicant=applicant)
        services.dossier_submit(dossier=dossier, actor=applicant)
        services.dossier_take(dossier=dossier, actor=agent)
        services.dossier_close(dossier=dossier, actor=agent, comment="Désistement.")
    out = io.StringIO()
    with at(D(2027, 1, 5)), django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data", stdout=out)
    assert "documents" in out.getvalue() and "Purge done" in out.getvalue()
    assert not dossier.documents.exists()
    with at(D(2028, 1, 5)), django_capture_on_commit_callbacks(execute=True):
        counts = purge_personal_data.apply().get()
    assert counts["dossiers"]["dossiers"] == 1


def test_the_daily_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "workinfrance.retention.tasks.purge_personal_data" in tasks


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Dossier refusé ou classé sans suite : 36 mois après la décision",
                "Brouillon jamais déposé : 6 mois",
                "14 jours",
            ],
        ),
        (
            "en",
            [
                "Application refused or closed without action: 36 months after the decision",
                "Draft never submitted: 6 months",
                "14 days",
            ],
        ),
    ],
)
def test_the_personal_data_page_reads_the_periods_from_the_settings(client, settings, language, expected):
    settings.WIF_RETENTION_DECIDED_MONTHS = 36
    client.post("/langue/", {"language": language, "next": "/"})
    response = client.get("/pages/donnees-personnelles/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in expected:
        assert text in page, text
    assert page.count('data-retention="') == 6


def test_copies_of_sent_emails_go_with_the_trail_but_never_pending_ones(purge):
    moment = datetime.datetime(2026, 1, 5, 10, tzinfo=PARIS)
    for status in ("sent", "failed", "pending"):
        OutboxMessage.objects.create(
            kind="email",
            payload={"to": "amina@example.test", "subject": "-", "body": "Bonjour Amina"},
            idempotency_key=f"test:{status}",
            status=status,
            created_at=moment,
            sent_at=moment if status == "sent" else None,
        )
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", "--date", "2026-06-01", stdout=out)
    assert "outbox                   0  2027-01-05" in out.getvalue()
    with at(D(2027, 1, 4)):
        purge()
    assert OutboxMessage.objects.count() == 3
    with at(D(2027, 1, 5)):
        run = purge()
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["pending"]
    assert run.counts["outbox"] == {"messages": 2}
