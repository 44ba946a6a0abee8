"""The monthly report, from a constructed history with known figures (October 2026), produced by the
beat task on 1 November, read back with openpyxl and with an independent reader (calamine)."""

import io

import openpyxl
import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from workinfrance.followup.models import MonthlyReport
from workinfrance.followup.report_figures import validity_is_short
from workinfrance.followup.tasks import produce_monthly_reports
from workinfrance.outbox.models import OutboxMessage

from tests.factories import UserFactory, agent_of, supervisor_of
from tests.followup.helpers import accepted_at, at, filed_at, refused_at

pytestmark = pytest.mark.django_db

HEADER = [
    "Département",
    "Déposés",
    "Acceptés",
    "Refusés",
    "Délai médian (jours)",
    "Acceptés, validité < 3 mois",
    "Acceptés, validité ≥ 3 mois",
]


@pytest.fixture
def october(paris, lyon):
    agent, lyon_agent, applicant = agent_of(paris), agent_of(lyon), UserFactory()
    p1 = filed_at("2026-10-05 10:00", applicant=applicant)
    accepted_at("2026-10-07 10:00", p1, agent=agent)  # 2 days, 12 months
    p2 = filed_at("2026-10-06 10:00", applicant=applicant, student_nationality="marocaine")
    accepted_at("2026-10-16 10:00", p2, agent=agent, validity_months=2)  # 10 days, short
    p3 = filed_at("2026-10-08 10:00", applicant=applicant, department="92")
    refused_at("2026-10-12 10:00", p3, agent=agent)  # 4 days
    p4 = filed_at("2026-09-20 10:00", applicant=applicant)
    accepted_at("2026-10-01 10:00", p4, agent=agent, validity_months=3)  # 11 days, exactly 3 months
    filed_at("2026-10-28 10:00", applicant=applicant, student_nationality=" Chinoise ")  # waiting
    p6 = filed_at("2026-10-20 10:00", applicant=applicant)
    accepted_at("2026-11-02 10:00", p6, agent=agent)  # decided in November: not in October's figures
    l1 = filed_at("2026-10-05 10:00", applicant=applicant, department="69")
    accepted_at("2026-10-06 10:00", l1, agent=lyon_agent)  # another unit


def sheet_rows(content: bytes, name: str) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_validity_split_at_three_months():
    import datetime

    assert not validity_is_short(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert validity_is_short(datetime.date(2026, 1, 1), datetime.date(2026, 3, 30))


def test_report_figures_of_a_known_month(paris, lyon, october):
    supervisor, other_supervisor = supervisor_of(paris), supervisor_of(paris, preferred_language="en")
    with at("2026-11-01 05:00"):
        assert produce_monthly_reports() == 2  # one per unit
    report = MonthlyReport.objects.get(unit=paris)
    assert str(report.month) == "2026-10-01"
    content = report.file.read()
    assert report.size == len(content)

    summary = sheet_rows(content, "Synthèse")
    assert summary[0] == ["Rapport mensuel de Unité de Paris, octobre 2026"] + [None] * 6
    assert summary[2] == HEADER
    paris_75, hauts_de_seine, total = summary[3:6]
    # 75: filed p1, p2, p5, p6; accepted p1, p2, p4 (2, 10, 11 days); p2 under 3 months.
    assert paris_75[1:] == [4, 3, 0, 10, 1, 2] and paris_75[0].startswith("75")
    assert hauts_de_seine[1:] == [1, 0, 1, 4, 0, 0] and hauts_de_seine[0].startswith("92")
    assert total == ["Total", 5, 3, 1, 7, 1, 2]  # median of 2, 4, 10, 11

    by_category = sheet_rows(content, "Par catégorie")
    assert by_category[0] == ["Département", "Catégorie", "Déposés", "Acceptés", "Refusés"]
    assert [row[2:] for row in by_category[1:]] == [[4, 3, 0], [1, 0, 1]]
    by_nationality = sheet_rows(content, "Par nationalité")
    assert [row[1:] for row in by_nationality[1:]] == [
        ["Algérienne", 2, 2, 0],
        ["Marocaine", 1, 1, 0],
        ["Chinoise", 1, 0, 0],
        ["Algérienne", 1, 0, 1],
    ]
    # An independent reader of the format finds the same workbook.
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert calamine.sheet_names == ["Synthèse", "Par catégorie", "Par nationalité", "Définitions"]
    read_back = calamine.get_sheet_by_name("Synthèse").to_python()
    assert [int(value) for value in read_back[5][1:]] == [5, 3, 1, 7, 1, 2]

    # Announced once to each supervisor, in their language, with the download link.
    link = reverse("followup:report_download", kwargs={"pk": report.pk})
    mails = {
        m.payload["to"]: m.payload
        for m in OutboxMessage.objects.filter(idempotency_key__contains="monthly-report")
    }
    assert set(mails) == {supervisor.email, other_supervisor.email}
    assert link in mails[supervisor.email]["body"] and "octobre 2026" in mails[supervisor.email]["subject"]
    assert mails[other_supervisor.email]["subject"] == "Monthly report of Unité de Paris: October 2026"

    with at("2026-11-01 06:00"):
        assert produce_monthly_reports() == 2
    assert MonthlyReport.objects.count() == 2  # kept, not produced twice
    assert OutboxMessage.objects.filter(idempotency_key__contains="monthly-report").count() == 2


def test_previous_months_kept_and_downloads_limited_to_the_unit(client, paris, lyon, october):
    with at("2026-10-01 05:00"):
        produce_monthly_reports()
    with at("2026-11-01 05:00"):
        produce_monthly_reports()
    reports = list(MonthlyReport.objects.filter(unit=paris).order_by("month"))
    assert [str(r.month) for r in reports] == ["2026-09-01", "2026-10-01"]
    october_report = reports[1]
    url = reverse("followup:report_download", kwargs={"pk": october_report.pk})

    client.force_login(agent_of(paris))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == october_report.file.read()
    assert "private" in response["Cache-Control"]

    client.force_login(supervisor_of(lyon))
    assert client.get(url).status_code == 404
    listing = client.get(reverse("followup:reports")).content.decode()
    assert url not in listing

    client.force_login(supervisor_of(paris))
    dashboard = client.get(reverse("stats:unit")).content.decode()
    assert url in dashboard and "octobre 2026" in dashboard
