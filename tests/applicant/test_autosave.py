"""The background save of a filing step (applicant.views.filing.autosave) and its inline errors."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from workinfrance.dossiers.checks import consistency_problems
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier

from tests.dossiers.helpers import dossier_in_state, events_of
from tests.factories import VALID_SIRET, DossierFactory, UserFactory, category


def autosave_url(dossier, step):
    return reverse("applicant:autosave", kwargs={"uuid": dossier.uuid, "step": step})


def job_data(dossier, **overrides):
    data = {
        "job_title": dossier.job_title,
        "work_address": dossier.work_address,
        "contract_type": dossier.contract_type,
        "contract_start": dossier.contract_start.isoformat(),
        "contract_end": dossier.contract_end.isoformat(),
        "weekly_hours": str(dossier.weekly_hours),
        "gross_monthly_salary": str(dossier.gross_monthly_salary),
        "regulated_profession": "",
    }
    return data | overrides


@pytest.fixture
def logged(client, applicant):
    client.force_login(applicant)
    return client


def test_saves_what_was_typed_and_says_when(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    response = logged.post(autosave_url(dossier, "job"), job_data(dossier, job_title="Vendeuse en boulang"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] is True
    assert answer["status"].startswith("Enregistré à ")
    assert answer["errors"] == {}
    dossier.refresh_from_db()
    assert dossier.job_title == "Vendeuse en boulang"
    assert events_of(dossier).count("dossier.update") == 1  # through the draft service, audited


def test_the_step_page_carries_the_autosave_and_its_status(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    page = logged.get(
        reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "job"})
    ).content.decode()
    assert f'data-autosave-url="{autosave_url(dossier, "job")}"' in page
    assert 'id="autosave-status"' in page and 'aria-live="polite"' in page
    assert "applicant/autosave.js" in page
    # No dossier yet on the first page: nothing to save in the background.
    page = logged.get(reverse("applicant:new")).content.decode()
    assert "autosave.js" not in page and "data-autosave-url" not in page


def test_a_malformed_field_keeps_its_previous_value_and_the_others_are_saved(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    response = logged.post(
        autosave_url(dossier, "employer"),
        {"employer_name": "Atelier Durand", "employer_siret": "73282932000075", "employer_city": "Lyon"},
    )
    answer = response.json()
    assert answer["saved"] is True
    assert answer["status"].endswith("sauf les champs à corriger.")
    dossier.employer_siret = "73282932000075"
    (problem,) = [p for p in consistency_problems(dossier) if p.code == "siret"]
    assert answer["errors"] == {"employer_siret": [problem.message]}  # the review's very words
    dossier.refresh_from_db()
    assert (dossier.employer_name, dossier.employer_city) == ("Atelier Durand", "Lyon")
    assert dossier.employer_siret == VALID_SIRET  # the previous value, not the wrong one


def test_an_impossible_date_is_reported_and_not_written(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    start = dossier.contract_start
    answer = logged.post(
        autosave_url(dossier, "job"), job_data(dossier, contract_start="2027-02-31", job_title="Serveuse")
    ).json()
    assert list(answer["errors"]) == ["contract_start"]
    dossier.refresh_from_db()
    assert (dossier.contract_start, dossier.job_title) == (start, "Serveuse")


def test_fields_absent_from_the_request_are_left_alone(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    logged.post(autosave_url(dossier, "employer"), {"employer_name": "Atelier Durand"})
    dossier.refresh_from_db()
    assert dossier.employer_name == "Atelier Durand"
    assert dossier.employer_siret == VALID_SIRET and dossier.employer_city == "Paris"


def test_dates_in_the_wrong_order_are_kept_and_reported_in_the_servers_words(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    answer = logged.post(
        autosave_url(dossier, "job"),
        job_data(dossier, contract_start="2027-03-20", contract_end="2027-03-10"),
    ).json()
    dossier.refresh_from_db()
    # Well-formed, only contradictory: kept as typed (the review page and submission refuse it).
    assert (dossier.contract_start, dossier.contract_end) == (
        datetime.date(2027, 3, 20),
        datetime.date(2027, 3, 10),
    )
    (problem,) = [p for p in consistency_problems(dossier) if p.code == "contract_dates"]
    assert answer["errors"] == {"contract_end": [problem.message]}


def test_hours_above_the_categorys_limit_are_reported_at_the_field(logged, applicant):
    dossier = DossierFactory(
        applicant=applicant, category=category("algerian_student"), contract_type="fixed_term"
    )
    answer = logged.post(autosave_url(dossier, "job"), job_data(dossier, weekly_hours="20.5")).json()
    dossier.refresh_from_db()
    assert dossier.weekly_hours == Decimal("20.5")
    (problem,) = [p for p in consistency_problems(dossier) if p.code == "weekly_hours_limit"]
    assert answer["errors"] == {"weekly_hours": [problem.message]}


def test_messages_in_english_are_the_servers_english(logged, applicant):
    logged.cookies["django_language"] = "en"
    dossier = DossierFactory(applicant=applicant)
    answer = logged.post(
        autosave_url(dossier, "job"),
        job_data(dossier, contract_start="2027-03-20", contract_end="2027-03-10"),
    ).json()
    dossier.refresh_from_db()
    with translation.override("en"):
        (problem,) = [p for p in consistency_problems(dossier) if p.code == "contract_dates"]
    assert answer["errors"] == {"contract_end": [problem.message]}
    assert problem.message != "La fin du contrat est antérieure à son début."
    assert answer["status"].startswith("Saved at ")


def test_another_applicants_dossier_is_404_and_untouched(client, applicant):
    dossier = DossierFactory(applicant=applicant)
    client.force_login(UserFactory())
    response = client.post(autosave_url(dossier, "job"), job_data(dossier, job_title="Pirate"))
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.job_title != "Pirate"


def test_anonymous_is_sent_to_sign_in(client, applicant):
    dossier = DossierFactory(applicant=applicant)
    response = client.post(autosave_url(dossier, "job"), job_data(dossier, job_title="Pirate"))
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_a_submitted_dossier_is_refused(logged, applicant, paris):
    dossier = dossier_in_state(State.SUBMITTED, applicant=applicant, unit=paris)
    response = logged.post(autosave_url(dossier, "job"), job_data(dossier, job_title="Autre"))
    assert response.status_code == 409
    assert response.json()["saved"] is False
    assert Dossier.objects.get(pk=dossier.pk).job_title != "Autre"


def test_only_form_steps_and_post(logged, applicant):
    dossier = DossierFactory(applicant=applicant)
    assert logged.post(autosave_url(dossier, "documents"), {}).status_code == 404
    assert logged.post(autosave_url(dossier, "review"), {}).status_code == 404
    assert logged.get(autosave_url(dossier, "job")).status_code == 405


def test_csrf_is_required(applicant):
    dossier = DossierFactory(applicant=applicant)
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(autosave_url(dossier, "job"), job_data(dossier, job_title="Sans jeton"))
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.job_title != "Sans jeton"
    # With the token the page carries, it saves.
    client.get(reverse("applicant:step", kwargs={"uuid": dossier.uuid, "step": "job"}))
    token = client.cookies["csrftoken"].value
    response = client.post(
        autosave_url(dossier, "job"), job_data(dossier, job_title="Avec jeton"), HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
