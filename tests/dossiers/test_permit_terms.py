"""One home for a permit's terms (issue 11, point 7): each limit refused by the service, by the
accept form, and shown as a warning beside an issued permit."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.dossiers import services
from workinfrance.dossiers.errors import DossierActionError
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.terms import PermitTerms, permit_terms_problems
from workinfrance.permits.models import Permit

from tests.factories import complete_draft

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def reviewed(paris, agent):
    """Builds a dossier in review with the given fields (and category figures)."""

    def build(category_changes=None, **fields):
        dossier = complete_draft(**fields)
        if category_changes:
            for name, value in category_changes.items():
                setattr(dossier.category, name, value)
            dossier.category.save()
        services.dossier_submit(dossier=dossier, actor=dossier.applicant)
        services.dossier_take(dossier=dossier, actor=agent)
        return dossier

    return build


# (limit, dossier fields, category changes, terms from the proposed ones)
LIMITS = [
    ("before_filing", {}, None, lambda t: replace(t, validity_start=days(-30), validity_end=days(60))),
    ("inverted", {}, None, lambda t: replace(t, validity_end=t.validity_start - datetime.timedelta(days=1))),
    (
        "too_long",
        {"contract_end": days(900), "residence_permit_end": days(900)},
        {"max_validity_months": 6},
        lambda t: replace(t, validity_end=t.validity_start + datetime.timedelta(days=200)),
    ),
    (
        "after_residence_permit",
        {"residence_permit_end": days(100)},
        None,
        lambda t: replace(t, validity_end=days(150)),
    ),
    ("after_contract", {"contract_end": days(100)}, None, lambda t: replace(t, validity_end=days(150))),
    ("hours_not_positive", {}, None, lambda t: replace(t, weekly_hours=Decimal("0"))),
    (
        "hours_over_category",
        {"weekly_hours": Decimal("17.5")},
        {"max_weekly_hours": Decimal("17.5")},
        lambda t: replace(t, weekly_hours=Decimal("20")),
    ),
    ("hours_over_ceiling", {}, None, lambda t: replace(t, weekly_hours=Decimal("99"))),
]


@pytest.mark.parametrize(("limit", "fields", "category_changes", "edit"), LIMITS, ids=[c[0] for c in LIMITS])
def test_the_accept_service_refuses_terms_beyond_each_limit(
    reviewed, agent, limit, fields, category_changes, edit
):
    dossier = reviewed(category_changes, **fields)
    proposed = services.permit_terms_proposed(dossier)
    assert permit_terms_problems(dossier, proposed) == []  # the proposal itself stays within every limit
    terms = edit(proposed)
    assert [problem.code for problem in permit_terms_problems(dossier, terms)] == [limit]
    with pytest.raises(DossierActionError):
        services.dossier_accept(dossier=dossier, actor=agent, terms=terms)
    dossier.refresh_from_db()
    assert dossier.state == State.IN_REVIEW and not Permit.objects.filter(dossier=dossier).exists()


def test_the_accept_form_refuses_99_hours_and_a_start_before_filing(client, reviewed, agent):
    dossier = reviewed(weekly_hours=Decimal("20"))
    proposed = services.permit_terms_proposed(dossier)
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "accept"}),
        {
            "accept-validity_start": days(-30).isoformat(),
            "accept-validity_end": proposed.validity_end.isoformat(),
            "accept-weekly_hours": "99",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "ne peut commencer avant le dépôt" in page
    assert "ne peut dépasser 48 heures" in page
    assert not Permit.objects.filter(dossier=dossier).exists()


def test_the_agent_sees_what_an_issued_permit_breaks(client, reviewed, agent):
    dossier = reviewed()
    services.dossier_accept(dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier))
    permit = dossier.permits.get()
    client.force_login(agent)
    screen = reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})
    assert "ne peut dépasser" not in client.get(screen).content.decode()
    # The residence permit turns out shorter, and an old permit carries more hours than allowed.
    type(dossier).objects.filter(pk=dossier.pk).update(
        residence_permit_end=permit.valid_until - datetime.timedelta(days=1)
    )
    Permit.objects.filter(pk=permit.pk).update(weekly_hours=Decimal("99"))
    page = client.get(screen).content.decode()
    assert "ne peut dépasser l&#x27;expiration du titre de séjour" in page
    assert "ne peut dépasser 48 heures" in page


def test_the_proposal_respects_the_category_and_legal_hours(reviewed):
    dossier = reviewed(weekly_hours=Decimal("17.5"), category_changes={"max_weekly_hours": Decimal("17.5")})
    type(dossier).objects.filter(pk=dossier.pk).update(weekly_hours=Decimal("30"))
    dossier.refresh_from_db()
    assert services.permit_terms_proposed(dossier).weekly_hours == Decimal("17.5")
    assert isinstance(services.permit_terms_proposed(dossier), PermitTerms)
