"""The public page, its CSV and the supervisor's unit dashboard, on a history built through the services."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from workinfrance.dossiers.lifecycle import State
from workinfrance.stats.direct import report_from_events
from workinfrance.stats.selectors import Filters, report_compute

from tests.factories import agent_of, open_department
from tests.stats.story import ServiceStory


@pytest.fixture(autouse=True)
def _live(settings):
    settings.WIF_STATS_REFRESH_SECONDS = 0


@pytest.fixture
def story(applicant, agent, supervisor, lyon):
    """Through the real services, from 25 days ago: accepted, refused after complements, accepted
    then reopened and refused, one waiting, plus one Lyon file submitted today."""
    story = ServiceStory(applicant=applicant, agent=agent, supervisor=supervisor)
    start = timezone.now() - datetime.timedelta(days=25)
    dossiers = {}
    dossiers["accepted"] = story.new()
    for offset, step in ((0, "submit"), (1, "take"), (3, "accept")):
        story.do(dossiers["accepted"], start + datetime.timedelta(days=offset), step)
    dossiers["complements"] = story.new()
    for offset, step in (
        (0, "submit"),
        (1, "take"),
        (2, "request_complements"),
        (6, "resubmit"),
        (9, "refuse"),
    ):
        story.do(dossiers["complements"], start + datetime.timedelta(days=offset), step)
    dossiers["reopened"] = story.new()
    for offset, step in ((0, "submit"), (0, "take"), (1, "accept"), (2, "reopen"), (5, "refuse")):
        story.do(dossiers["reopened"], start + datetime.timedelta(days=offset), step)
    dossiers["waiting"] = story.new()
    story.do(dossiers["waiting"], start + datetime.timedelta(days=1), "submit")
    lyon_story = ServiceStory(applicant=applicant, agent=agent_of(lyon), supervisor=None)
    dossiers["lyon"] = lyon_story.new(department=open_department("69"))
    lyon_story.do(dossiers["lyon"], timezone.now(), "submit")
    return dossiers


def test_history_through_the_services_gives_the_expected_figures(story, client):
    client.get(reverse("stats:public"))  # the page catches up with the events
    report = report_compute(filters=Filters(), today=timezone.localdate())
    total = report.total
    assert (total.filed, total.accepted, total.refused, total.in_progress, total.with_complements) == (
        5,
        1,
        2,
        2,
        1,
    )
    assert total.median_days == 5.0  # 3, 5 and 9 days
    assert total.applicant_days_mean == pytest.approx(4 / 3)
    assert story["reopened"].state == State.REFUSED
    assert report == report_from_events(filters=Filters(), today=timezone.localdate())


def test_public_page_shows_charts_tables_and_definitions(story, client):
    response = client.get(reverse("stats:public"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 3
    assert 'aria-labelledby="chart-volumes-title chart-volumes-desc"' in html
    assert "<caption>Chiffres par mois de dépôt</caption>" in html
    assert "Comment ces chiffres sont calculés" in html
    assert "<script" not in html.split("</footer>")[0]  # charts are drawn on the server


def test_public_page_in_english(story, client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("stats:public")).content.decode()
    assert "Service statistics" in html
    assert "Figures by month of submission" in html


def test_filters_narrow_the_figures(story, client, lyon):
    response = client.get(reverse("stats:public"), {"unit": lyon.pk})
    assert response.context["report"].total.filed == 1
    assert response.context["report"].total.in_progress == 1
    bad = client.get(reverse("stats:public"), {"department": "zz"})
    assert bad.status_code == 200 and bad.context["report"].total.filed == 5


def test_csv_has_the_same_figures(story, client, paris):
    response = client.get(reverse("stats:public_csv"), {"unit": paris.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = rows[0]
    assert total["breakdown"] == "total"
    assert (total["filed"], total["accepted"], total["refused"], total["median_days"]) == (
        "4",
        "1",
        "2",
        "5.0",
    )
    assert sum(1 for row in rows if row["breakdown"] == "month") == 12
    assert [row["key"] for row in rows if row["breakdown"] == "unit"] == [str(paris.pk)]


def test_unit_dashboard_for_supervisors_only(story, client, supervisor, agent, lyon_supervisor):
    url = reverse("stats:unit")
    assert client.get(url).status_code == 302
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(lyon_supervisor)
    response = client.get(url)
    assert response.context["report"].total.filed == 1
    client.force_login(supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["report"].total.filed == 4
    loads = {load.agent: load for load in response.context["workload"]}
    assert (loads[agent].decided_30_days, loads[agent].in_review) == (4, 0)
    assert loads[supervisor].decided_30_days == 0  # reopening is not a decision
    assert [w.dossier for w in response.context["oldest"]] == [story["waiting"]]
    assert response.context["oldest"][0].overdue
    assert client.get(url, {"unit": lyon_supervisor.units.get().pk}).status_code == 404


def test_figures_are_formatted_in_the_visitors_language(story, client):
    html = client.get(reverse("stats:public")).content.decode()
    assert "<td>5,0 j</td>" in html and "<td>33 %</td>" in html  # median; 1 accepted of 3 decided
    client.cookies["django_language"] = "en"
    html = client.get(reverse("stats:public")).content.decode()
    assert "<td>5.0 d</td>" in html and "<td>33%</td>" in html


def test_page_is_live_after_a_new_transition(story, client, applicant, agent, supervisor):
    first = client.get(reverse("stats:public")).context["report"].total
    ServiceStory(applicant=applicant, agent=agent, supervisor=supervisor).do(
        story["waiting"], timezone.now(), "take"
    )
    ServiceStory(applicant=applicant, agent=agent, supervisor=supervisor).do(
        story["waiting"], timezone.now(), "accept"
    )
    response = client.get(reverse("stats:public"))
    after = response.context["report"].total
    assert (after.accepted, after.in_progress) == (first.accepted + 1, first.in_progress - 1)
    assert f"<td>{after.accepted}</td>" in response.content.decode()


# The catch-up with new events (state row, events, facts, savepoint and its update), the figures'
# version, the cells of the report, the labels (categories, units, departments) and the filter
# form's choices (categories, departments, units).
PUBLIC_PAGE_QUERIES = 16
PUBLIC_PAGE_CACHED_QUERIES = 12  # the catch-up, the version and the form's choices


@pytest.mark.parametrize(("params", "extra"), [({}, 0), ({"category": "1"}, 1)])  # + the chosen category
def test_query_count_of_the_public_page(story, client, django_assert_num_queries, params, extra):
    from django.core.cache import cache

    client.get(reverse("stats:public"))
    cache.clear()
    with django_assert_num_queries(PUBLIC_PAGE_QUERIES + extra):
        assert client.get(reverse("stats:public"), params).status_code == 200
    with django_assert_num_queries(PUBLIC_PAGE_CACHED_QUERIES + extra):
        assert client.get(reverse("stats:public"), params).status_code == 200
