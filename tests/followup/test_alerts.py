"""The alerts selector: each rule as a check of one dossier and as a database filter, the same
dossiers both ways; the stalled rule in working days against a constructed history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.dossiers.models import Dossier, Message
from workinfrance.followup.alerts import (
    ALERTS,
    alert_filter,
    alerted_dossiers,
    alerts_annotate,
    dossier_alerts,
)
from workinfrance.followup.workdays import (
    is_working_day,
    latest_day_with_working_days_since,
    working_days_between,
)
from workinfrance.permits.models import Permit
from workinfrance.stats.selectors import unit_oldest_waiting

from tests.followup.helpers import accepted_at, at, filed_at, refused_at

pytestmark = pytest.mark.django_db


def codes(dossier, today):
    dossier = alerts_annotate(Dossier.objects.filter(pk=dossier.pk)).get()
    return {alert.code for alert in dossier_alerts(dossier, today=today)}


def filtered(code, today):
    queryset = alerts_annotate(Dossier.objects.all())
    return set(queryset.filter(alert_filter(code, today)).values_list("pk", flat=True))


def test_working_days_skip_weekends_and_french_public_holidays():
    armistice = datetime.date(2026, 11, 11)  # a Wednesday
    assert not is_working_day(armistice)
    assert not is_working_day(datetime.date(2026, 11, 14))  # Saturday
    assert is_working_day(datetime.date(2026, 11, 12))
    assert not is_working_day(datetime.date(2026, 5, 25))  # Whit Monday (Easter-based)
    # Thursday 5 to Wednesday 18 November: 13 days, 2 weekends and Armistice Day off.
    assert working_days_between(datetime.date(2026, 11, 5), datetime.date(2026, 11, 18)) == 8
    day = latest_day_with_working_days_since(datetime.date(2026, 11, 18), 8)
    assert day == datetime.date(2026, 11, 5)


def test_stalled_after_seven_working_days_weekends_and_holiday_excluded(client, paris, agent):
    """Filed Thursday 5 November 2026. Working days after it: 6, 9, 10, (11 is Armistice Day),
    12, 13, 16, 17 (the 7th), 18 (the 8th). Stalled from Wednesday 18, not before; the old
    calendar-day rule would have fired on Friday 13."""
    dossier = filed_at("2026-11-05 10:00", applicant=agent_applicant())
    client.force_login(agent)
    for day, stalled in (
        ("2026-11-13", False),
        ("2026-11-17", False),
        ("2026-11-18", True),
        ("2026-11-19", True),
    ):
        with at(f"{day} 08:00"):
            today = timezone.localdate()
            assert ("late" in codes(dossier, today)) is stalled, day
            assert (dossier.pk in filtered("late", today)) is stalled, day
            page = client.get(reverse("backoffice:inbox"), {"tab": "all", "flag": "late"})
            numbers = [row.number for row in page.context["page"].object_list]
            assert numbers == ([dossier.number] if stalled else []), day
            # The unit dashboard's "more than 7 days" badge reads the same rule.
            waiting = unit_oldest_waiting(user=agent_supervisor(paris), unit=paris)
            assert [item.overdue for item in waiting] == [stalled], day
    with at("2026-11-18 08:00"):
        page = client.get(reverse("backoffice:inbox"), {"tab": "all"}).content.decode()
        assert "En attente depuis 8 jours ouvrés" in page


def agent_applicant():
    from tests.factories import UserFactory

    return UserFactory()


def agent_supervisor(unit):
    from tests.factories import supervisor_of

    return supervisor_of(unit)


def test_each_rule_flags_the_dossiers_its_filter_selects(paris, agent):
    """One dossier per anomaly (and clean ones): the check and the filter agree, code by code."""
    applicant = agent_applicant()
    clean = filed_at("2026-10-01 10:00", applicant=applicant)
    accepted_at("2026-10-02 10:00", clean, agent=agent)
    inverted = filed_at("2026-10-01 10:00", applicant=applicant)
    Dossier.objects.filter(pk=inverted.pk).update(
        contract_start=datetime.date(2026, 12, 1), contract_end=datetime.date(2026, 11, 1)
    )
    missing = filed_at("2026-10-01 10:00", applicant=applicant)
    Dossier.objects.filter(pk=missing.pk).update(contract_end=None)
    too_long = accepted_at("2026-10-02 10:00", filed_at("2026-10-01 10:00", applicant=applicant), agent=agent)
    permit = too_long.permits.get()
    Permit.objects.filter(pk=permit.pk).update(
        valid_until=permit.valid_from.replace(year=permit.valid_from.year + 1)
    )
    exactly_a_year = accepted_at(
        "2026-10-02 10:00", filed_at("2026-10-01 10:00", applicant=applicant), agent=agent
    )
    permit = exactly_a_year.permits.get()
    last_day = permit.valid_from.replace(year=permit.valid_from.year + 1) - datetime.timedelta(days=1)
    Permit.objects.filter(pk=permit.pk).update(valid_until=last_day)

    def accepted_with_validity(start, end):
        dossier = accepted_at(
            "2026-10-02 10:00", filed_at("2026-10-01 10:00", applicant=applicant), agent=agent
        )
        Permit.objects.filter(dossier=dossier).update(valid_from=start, valid_until=end)
        return dossier

    # 29 February plus 12 months is 28 February: to that day is more than 12 months.
    leap = accepted_with_validity(datetime.date(2028, 2, 29), datetime.date(2029, 2, 28))
    expired = accepted_with_validity(
        datetime.date(2025, 1, 1), datetime.date(2026, 1, 15)
    )  # no longer matters
    residence_inverted = filed_at("2026-10-01 10:00", applicant=applicant)
    Dossier.objects.filter(pk=residence_inverted.pk).update(
        residence_permit_start=datetime.date(2027, 1, 1), residence_permit_end=datetime.date(2026, 12, 1)
    )
    without_permit = accepted_at(
        "2026-10-02 10:00", filed_at("2026-10-01 10:00", applicant=applicant), agent=agent
    )
    Permit.objects.filter(dossier=without_permit).delete()
    answered = refused_at("2026-10-03 10:00", filed_at("2026-10-01 10:00", applicant=applicant), agent=agent)
    with at("2026-10-04 10:00"):
        Message.objects.create(dossier=answered, author=answered.applicant, body="Je conteste.")
    expiring = filed_at(
        "2026-10-20 10:00", applicant=applicant, residence_permit_end=datetime.date(2026, 11, 20)
    )

    today = datetime.date(2026, 10, 26)
    expected = {
        "dates_invalid": {inverted.pk, missing.pk, without_permit.pk, residence_inverted.pk},
        "validity_too_long": {too_long.pk, leap.pk},
        "message_after_decision": {answered.pk},
        "residence_expiring": {expiring.pk},
        "late": {inverted.pk, missing.pk, residence_inverted.pk},  # filed 1 October: 17 working days
        "deadline": set(),
    }
    assert set(expected) == set(ALERTS)
    everyone = Dossier.objects.all()
    for code, pks in expected.items():
        assert filtered(code, today) == pks, code
        assert {d.pk for d in everyone if code in codes(d, today)} == pks, code
    flagged = alerted_dossiers(Dossier.objects.filter(unit=paris), today=today)
    assert {d.pk for d in flagged} == set().union(*expected.values())
    for unflagged in (clean, exactly_a_year, expired):
        assert unflagged.pk not in {d.pk for d in flagged}


def test_inbox_shows_the_new_flags(client, paris, agent):
    dossier = filed_at("2026-10-01 10:00", applicant=agent_applicant())
    Dossier.objects.filter(pk=dossier.pk).update(contract_end=datetime.date(2020, 1, 1))
    client.force_login(agent)
    response = client.get(reverse("backoffice:inbox"), {"tab": "all", "flag": "dates_invalid"})
    assert [row.number for row in response.context["page"].object_list] == [dossier.number]
    assert "Dates manquantes ou inversées" in response.content.decode()
