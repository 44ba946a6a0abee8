"""Known answers on a constructed history: every indicator, by dimension and with filters."""

import datetime
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from workinfrance.core.events import event_record
from workinfrance.core.models import Event
from workinfrance.procedures.models import Category
from workinfrance.stats.direct import report_from_events
from workinfrance.stats.history import HistoryEvent, summarise
from workinfrance.stats.models import DossierFact, MonthlyCell, RefreshState
from workinfrance.stats.selectors import Filters, report_compute
from workinfrance.stats.services import stats_rebuild, stats_refresh

from tests.stats.story import clock, decided_after, dossier_with_events, paris_time, play

TODAY = datetime.date(2026, 2, 20)
JAN5 = paris_time(datetime.date(2026, 1, 5))
# Processing days of the 20 January apprenticeship files of Paris (75).
JANUARY_DAYS = [1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8, 10, 15, 60]


def day(n):
    return timedelta(days=n)


@pytest.fixture
def history(paris, lyon):
    """25 files in the period, 3 in progress, one reopened then refused, one reopened still open."""
    built = {}
    for index, days in enumerate(JANUARY_DAYS):
        if index == 17:  # closed while awaiting complements: 9 days on the applicant
            steps = [
                (JAN5, "submit"),
                (JAN5, "take"),
                (JAN5 + day(1), "request_complements"),
                (JAN5 + day(10), "close"),
            ]
        elif index == 18:  # complements answered after 10 days, then refused
            steps = [
                (JAN5, "submit"),
                (JAN5, "take"),
                (JAN5 + day(2), "request_complements"),
                (JAN5 + day(12), "resubmit"),
                (JAN5 + day(15), "refuse"),
            ]
        elif index == 19:  # 45 days on the applicant, then accepted
            steps = [
                (JAN5, "submit"),
                (JAN5, "take"),
                (JAN5 + day(5), "request_complements"),
                (JAN5 + day(50), "resubmit"),
                (JAN5 + day(60), "accept"),
            ]
        elif index == 16:  # accepted, reopened, finally refused: the final decision counts
            steps = decided_after(JAN5, 3) + [(JAN5 + day(5), "reopen"), (JAN5 + day(8), "refuse")]
        else:
            steps = decided_after(JAN5, days, "refuse" if index in (13, 14, 15) else "accept")
        built[index] = dossier_with_events(
            unit=paris, department="75", category="apprenticeship", steps=steps
        )
    feb = paris_time(datetime.date(2026, 2, 2))
    common = {"unit": paris, "department": "92", "category": "algerian_student"}
    built["awaiting"] = dossier_with_events(
        **common, steps=[(feb, "submit"), (feb + day(1), "take"), (feb + day(2), "request_complements")]
    )
    built["submitted"] = dossier_with_events(**common, steps=[(feb + day(8), "submit")])
    built["reopened"] = dossier_with_events(
        **common, steps=decided_after(feb + day(1), 3) + [(feb + day(7), "reopen")]
    )
    # Submitted 31 January 23:30 in Paris (22:30 UTC): a January file, decided the next calendar day.
    built["midnight"] = dossier_with_events(
        **common,
        steps=[
            (paris_time(datetime.date(2026, 1, 31), 23, 30), "submit"),
            (paris_time(datetime.date(2026, 2, 1), 0, 10), "take"),
            (paris_time(datetime.date(2026, 2, 1), 0, 30), "accept"),
        ],
    )
    built["lyon"] = dossier_with_events(
        unit=lyon,
        department="69",
        category="apprenticeship",
        steps=decided_after(paris_time(datetime.date(2025, 12, 1)), 3),
    )
    built["too_old"] = dossier_with_events(
        unit=paris,
        department="75",
        category="apprenticeship",
        steps=decided_after(paris_time(datetime.date(2025, 2, 15)), 5),
    )
    built["draft"] = dossier_with_events(unit=paris, department="75", category="apprenticeship", steps=[])
    stats_rebuild()
    return built


def ids():
    return {code: Category.objects.get(code=code).pk for code in ("apprenticeship", "algerian_student")}


def test_summary_of_a_reopened_file_keeps_the_final_decision():
    start = paris_time(datetime.date(2026, 3, 1))
    events = [
        HistoryEvent(i, verb, start + day(offset), to)
        for i, (verb, offset, to) in enumerate(
            [
                ("submit", 0, "submitted"),
                ("take", 0, "in_review"),
                ("request_complements", 1, "awaiting_complements"),
                ("assign", 2, "awaiting_complements"),
                ("resubmit", 4, "in_review"),
                ("accept", 6, "accepted"),
                ("reopen", 9, "in_review"),
                ("refuse", 11, "refused"),
            ],
            start=1,
        )
    ]
    summary = summarise(reversed(events))  # order comes from the timestamps, not the input
    assert summary.outcome == "refused"
    assert summary.decided_at == start + day(11)
    assert summary.processing_days == 11
    assert summary.applicant_days == 3
    assert summary.needed_complements is True
    assert summary.last_event_id == 8
    assert summarise(events[:7]).outcome == ""  # reopened, not yet decided again
    assert summarise([]) is None


def test_national_figures(history):
    report = report_compute(filters=Filters(), today=TODAY)
    total = report.total
    assert (total.filed, total.accepted, total.refused, total.closed) == (25, 16, 5, 1)
    assert (total.decided, total.in_progress, total.with_complements) == (22, 3, 4)
    assert total.acceptance_rate == pytest.approx(16 / 22)
    assert total.complement_share == pytest.approx(4 / 25)
    # Sorted days: 1 1 1 2 2 2 3 3 3 3 3 4 4 4 5 5 6 7 8 10 15 60.
    assert total.median_days == 3.5
    assert total.p90_days == pytest.approx(9.8)  # rank 18.9: 8 + 0.9 * (10 - 8)
    assert total.trimmed_mean_days == pytest.approx(91 / 20)  # drops one value at each end
    assert total.applicant_days_mean == pytest.approx(64 / 22)
    assert total.administration_days_mean == pytest.approx(88 / 22)


def test_by_month_category_department_and_unit(history, paris, lyon):
    report = report_compute(filters=Filters(), today=TODAY)
    assert report.months[0] == datetime.date(2025, 3, 1) and report.months[-1] == datetime.date(2026, 2, 1)
    by_month = dict(report.by_month)
    assert len(by_month) == 12
    january = by_month[datetime.date(2026, 1, 1)]
    assert (january.filed, january.decided) == (21, 21)
    assert january.median_days == 4.0
    assert january.p90_days == 10.0
    assert january.trimmed_mean_days == pytest.approx(88 / 19)
    february = by_month[datetime.date(2026, 2, 1)]
    assert (february.filed, february.decided, february.in_progress) == (3, 0, 3)
    assert february.median_days is None and february.acceptance_rate is None
    assert by_month[datetime.date(2025, 12, 1)].median_days == 3.0
    assert by_month[datetime.date(2025, 3, 1)].filed == 0
    category = ids()
    by_category = dict(report.by_category)
    assert by_category[category["apprenticeship"]].filed == 21
    assert (
        by_category[category["algerian_student"]].filed,
        by_category[category["algerian_student"]].accepted,
    ) == (4, 1)
    assert {code: f.filed for code, f in report.by_department} == {"69": 1, "75": 20, "92": 4}
    assert {unit: f.filed for unit, f in report.by_unit} == {lyon.pk: 1, paris.pk: 24}


def test_filters(history, paris):
    category = ids()
    by_department = report_compute(filters=Filters(department="92"), today=TODAY).total
    assert (by_department.filed, by_department.accepted, by_department.in_progress) == (4, 1, 3)
    assert by_department.median_days == 1.0
    paris_apprentices = report_compute(
        filters=Filters(category=category["apprenticeship"], unit=paris.pk), today=TODAY
    )
    total = paris_apprentices.total
    assert (total.filed, total.accepted, total.refused, total.closed) == (20, 14, 5, 1)
    assert total.median_days == 4.0
    assert total.p90_days == pytest.approx(10.5)
    assert total.trimmed_mean_days == pytest.approx(87 / 18)
    assert total.applicant_days_mean == pytest.approx(64 / 20)
    assert [key for key, _ in paris_apprentices.by_department] == ["75"]
    nothing = report_compute(
        filters=Filters(department="69", category=category["algerian_student"]), today=TODAY
    )
    assert nothing.total.filed == 0 and nothing.total.median_days is None


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(department="92"), Filters(category="apprenticeship"), Filters(unit="paris")],
    ids=["national", "department", "category", "unit"],
)
def test_precomputed_figures_equal_the_direct_computation(history, paris, filters):
    lookups = {"apprenticeship": ids()["apprenticeship"], "paris": paris.pk}
    filters = Filters(
        category=lookups.get(filters.category, filters.category),
        department=filters.department,
        unit=lookups.get(filters.unit, filters.unit),
    )
    assert report_compute(filters=filters, today=TODAY) == report_from_events(filters=filters, today=TODAY)


def test_incremental_refresh_follows_new_events_and_reopened_decisions(history, paris):
    reopened = history["reopened"]
    before = report_compute(filters=Filters(), today=TODAY).total
    play(reopened, [(paris_time(datetime.date(2026, 2, 12)), "refuse")])
    late = dossier_with_events(
        unit=paris,
        department="75",
        category="apprenticeship",
        steps=decided_after(paris_time(datetime.date(2026, 2, 13)), 2),
    )
    state = stats_refresh()
    after = report_compute(filters=Filters(), today=TODAY).total
    assert (after.filed, after.refused, after.accepted) == (
        before.filed + 1,
        before.refused + 1,
        before.accepted + 1,
    )
    assert after.in_progress == before.in_progress - 1
    assert report_compute(filters=Filters(), today=TODAY) == report_from_events(
        filters=Filters(), today=TODAY
    )
    assert state.last_event_id == Event.objects.latest("id").pk
    assert late.stats_fact.processing_days == 2
    # Running again, or after events that are not transitions, changes nothing, not even the version.
    event_record(actor=None, verb="dossier.note", target=late, data={"to": "refused"})
    assert stats_refresh().version == state.version
    assert DossierFact.objects.get(pk=late.pk).outcome == "accepted"


def test_check_command_compares_with_the_events(history, capsys):
    with clock(paris_time(TODAY)):
        call_command("stats_check")
        assert "25 files over 12 months, figures identical" in capsys.readouterr().out
        DossierFact.objects.filter(dossier=history[0]).update(processing_days=40)
        call_command("stats_refresh", "--rebuild")  # repairs a tampered table
        call_command("stats_check")
        MonthlyCell.objects.filter(department="75").update(accepted=0)
        with pytest.raises(CommandError):
            call_command("stats_check")


def test_typical_processing_days_widens_its_scope_when_data_is_thin(history, paris):
    from workinfrance.stats.selectors import typical_processing_days

    category = ids()
    with clock(paris_time(TODAY)):
        # 20 decided Paris apprenticeship files: 80th percentile 7.2 days, rounded up.
        assert typical_processing_days(category=category["apprenticeship"], department="75") == 8
        # One decided Algerian-student file only, in the category too: the national figure (6.8).
        assert typical_processing_days(category=category["algerian_student"], department="92") == 7
    with clock(paris_time(datetime.date(2030, 1, 1))):
        assert typical_processing_days(category=category["apprenticeship"], department="75") is None


def test_refresh_rereads_recent_events_that_committed_after_a_later_id(history, paris):
    """Ids are taken before commit: an event may become visible after one with a higher id was read."""
    now = timezone.now()
    steps = [(now - timedelta(hours=2), "submit"), (now - timedelta(hours=1), "take"), (now, "accept")]
    committed_late = dossier_with_events(unit=paris, department="75", category="apprenticeship", steps=steps)
    highest = Event.objects.latest("id").pk
    RefreshState.objects.filter(pk=1).update(last_event_id=highest + 10, refreshed_at=timezone.now())
    stats_refresh()
    assert DossierFact.objects.get(pk=committed_late.pk).outcome == "accepted"
