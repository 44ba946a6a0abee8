"""Renewal follow-up: the unit's list of students whose authorisation or residence permit ends within
N days (with exports), and the reminder sent once, on the right day, to the holder and the employer."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import Transition
from workinfrance.followup.models import RenewalReminder
from workinfrance.followup.renewals import reminder_due_on
from workinfrance.followup.tasks import send_renewal_reminders
from workinfrance.outbox.models import OutboxMessage
from workinfrance.permits.models import Permit

from tests.factories import UserFactory, agent_of
from tests.followup.helpers import accepted_at, at, filed_at

pytestmark = pytest.mark.django_db


def reminders():
    return {
        m.payload["to"]: m.payload
        for m in OutboxMessage.objects.filter(idempotency_key__contains="renewal-reminder")
    }


def test_due_date_is_start_plus_330_days_or_a_month_before_the_end():
    year = reminder_due_on(valid_from=datetime.date(2026, 1, 5), valid_until=datetime.date(2027, 1, 4))
    assert year == datetime.date(2026, 12, 1)  # 5 January + 330 days, before 4 December
    short = reminder_due_on(valid_from=datetime.date(2026, 1, 5), valid_until=datetime.date(2026, 4, 4))
    assert short == datetime.date(2026, 3, 4)


@pytest.fixture
def accepted(paris):
    """Permit from 15 October 2026 (the contract's start) to 14 October 2027: reminder due
    15 October + 330 days = 10 September 2027 (a month before the end is 14 September)."""
    applicant = UserFactory(email="etudiante@example.test")
    dossier = filed_at("2026-10-05 10:00", applicant=applicant, employer_contact_email="rh@boulangerie.test")
    dossier = accepted_at("2026-10-06 10:00", dossier, agent=agent_of(paris))
    permit = dossier.permits.get()
    assert (permit.valid_from, permit.valid_until) == (
        datetime.date(2026, 10, 15),
        datetime.date(2027, 10, 14),
    )
    return dossier


def test_reminder_sent_once_on_its_day(accepted):
    with at("2027-09-09 08:00"):
        assert send_renewal_reminders() == 0  # the day before: nothing
    assert reminders() == {}
    with at("2027-09-10 08:00"):
        assert send_renewal_reminders() == 1
    sent = reminders()
    assert set(sent) == {"etudiante@example.test", "rh@boulangerie.test"}
    link = reverse("applicant:dossier", kwargs={"uuid": accepted.uuid}) + "#renouvellement"
    holder = sent["etudiante@example.test"]
    assert link in holder["body"] and "14/10/2027" in holder["body"]
    assert "Demander le renouvellement" in holder["body"] and "Request a renewal" in holder["body"]
    assert "dans votre entreprise" in sent["rh@boulangerie.test"]["body"]
    reminder = RenewalReminder.objects.get()
    assert reminder.due_on == datetime.date(2027, 9, 10)
    assert Event.objects.filter(verb="dossier.renewal_reminder", target_id=str(accepted.pk)).count() == 1
    with at("2027-09-10 18:00"):
        assert send_renewal_reminders() == 0  # rerun: nothing new
    with at("2027-09-20 08:00"):
        assert send_renewal_reminders() == 0
    assert OutboxMessage.objects.filter(idempotency_key__contains="renewal-reminder").count() == 2


def test_short_permit_reminded_a_month_before_its_end(paris):
    dossier = filed_at("2026-10-05 10:00", applicant=UserFactory())
    dossier = accepted_at("2026-10-06 10:00", dossier, agent=agent_of(paris), validity_months=3)
    permit = dossier.permits.get()  # 15 October 2026 to 14 January 2027: due 14 December
    with at("2026-12-13 08:00"):
        assert send_renewal_reminders() == 0
    with at("2026-12-14 08:00"):
        assert send_renewal_reminders() == 1
    assert RenewalReminder.objects.get().permit == permit


def test_no_reminder_for_a_revoked_permit_or_a_renewal_under_way(paris, accepted):
    Permit.objects.filter(dossier=accepted).update(
        status="revoked", revoked_at=datetime.datetime.now(datetime.UTC)
    )
    with at("2027-09-10 08:00"):
        assert send_renewal_reminders() == 0


def test_no_reminder_once_the_renewal_is_filed(accepted):
    renewal = services.dossier_renew(dossier=accepted, actor=accepted.applicant)

    def filed(dossier):
        dossier.number, dossier.unit = "WIF-2027-75-999999", accepted.unit
        dossier.submitted_at = datetime.datetime.now(datetime.UTC)
        return {}

    services.dossier_transition_seed(
        dossier=renewal, actor=accepted.applicant, transition=Transition.SUBMIT, change=filed
    )
    with at("2027-09-10 08:00"):
        assert send_renewal_reminders() == 0


def test_a_renewal_only_started_does_not_stop_the_reminder(accepted):
    services.dossier_renew(dossier=accepted, actor=accepted.applicant)  # a draft, never filed
    with at("2027-09-10 08:00"):
        assert send_renewal_reminders() == 1


def test_the_reminders_link_opens_the_prefilled_renewal(client, accepted):
    client.force_login(accepted.applicant)
    page = client.get(reverse("applicant:dossier", kwargs={"uuid": accepted.uuid})).content.decode()
    assert (
        'id="renouvellement"' in page and reverse("applicant:renew", kwargs={"uuid": accepted.uuid}) in page
    )
    response = client.post(reverse("applicant:renew", kwargs={"uuid": accepted.uuid}))
    renewal = accepted.renewals.get()
    assert response.status_code == 302 and renewal.student_last_name == accepted.student_last_name


def test_follow_up_list_filters_and_exports(client, paris, lyon, accepted):
    agent = agent_of(paris)
    url = reverse("followup:renewals")
    with at("2027-09-10 08:00"):  # the permit ends in 34 days
        client.force_login(agent)
        assert [row.dossier for row in client.get(url).context["rows"]] == []  # default 30 days
        rows = client.get(url, {"jours": "40"}).context["rows"]
        assert [(row.dossier, row.days_left) for row in rows] == [(accepted, 34)]
        refused = client.get(url, {"jours": "abc"})
        assert "Indiquez un nombre de jours." in refused.content.decode()
        assert client.get(url, {"jours": "0"}).context["days"] == 30
        exported = client.get(reverse("followup:renewals_csv"), {"jours": "40"})
        lines = list(csv.reader(io.StringIO(exported.content.decode())))
        assert lines[0][0] == "Numéro du dossier" and lines[1][0] == accepted.number
        assert lines[1][8:] == ["2027-10-14", str(accepted.residence_permit_end), "34"]
        workbook = openpyxl.load_workbook(
            io.BytesIO(client.get(reverse("followup:renewals_xlsx"), {"jours": "40"}).getvalue())
        )
        assert [row[0] for row in workbook.active.iter_rows(values_only=True)] == [
            "Numéro du dossier",
            accepted.number,
        ]
        assert Event.objects.filter(verb="followup.renewals_export", actor=agent).count() == 2
        client.force_login(agent_of(lyon))
        assert client.get(url, {"jours": "40", "unit": str(paris.pk)}).context["rows"] == []
