"""Pinned query counts of the screens and of every list view (from the URL conf), each at two data
sizes: the count is the same with one row and with several, so no page makes a query per row (N+1).

A change of a count here is a decision: say why in the comment beside the number. The inbox and the
back-office dossier screen keep theirs in tests/backoffice (INBOX_QUERIES, DOSSIER_SCREEN_QUERIES),
the public statistics page its cached/uncached pair in tests/stats/test_pages.py."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workinfrance.api import tokens
from workinfrance.api.models import ApiToken, WebhookDelivery
from workinfrance.api.webhooks import services as webhook_services
from workinfrance.backoffice.selectors import TABS
from workinfrance.dossiers import services
from workinfrance.permits import services as permit_services

from tests.backoffice.conftest import filed, in_review
from tests.backoffice.test_inbox import INBOX_QUERIES
from tests.factories import attach_document, complete_draft
from tests.permits.helpers import accept

SIZES = [1, 4]

# Measured, and the same at both sizes. Session, user and units (staff) come first on every page.
# Inbox: session, user, units, the tab's filter form choices, count, rows (tests/backoffice/test_inbox.py).
INBOX_TAB_QUERIES = dict.fromkeys(TABS, INBOX_QUERIES)
WORKLOAD_QUERIES = 7
EXPORT_CSV_QUERIES = 6
EXPORT_XLSX_QUERIES = 7  # the CSV's, and the row count checked against the workbook's limit
APPLICANT_DASHBOARD_QUERIES = 3
# The timeline reads the typed transition log and the other events; +1 the parties and +1 the signed
# decision letters (issue 15), +1 the read receipts (issue 16).
TRACKING_PAGE_QUERIES = 14
TOKENS_QUERIES = 6
WEBHOOKS_QUERIES = 6
WEBHOOK_DETAIL_QUERIES = 6
VERIFY_PAGE_QUERIES = 2  # the live status of the sealed permit, then the permit shown
REVOCATION_LIST_QUERIES = 1  # the revoked, unexpired permits; the signed list is then cached
PUBLIC_STATS_QUERIES = 31  # with the catch-up of new events (16 once caught up: tests/stats/test_pages.py)
UNIT_STATS_QUERIES = 37  # with the catch-up of new events, and the unit's monthly reports
PUBLIC_STATS_CSV_QUERIES = 28  # with the catch-up of new events


def copy_uncounted() -> int:
    """On PostgreSQL the CSV export and the statistics' new facts go through COPY, on the driver's own
    cursor: Django does not count that query."""
    return 1 if connection.vendor == "postgresql" else 0


def _filed_dossiers(size, *, agent, supervisor):
    """`size` dossiers in each tab of the inbox: submitted, assigned, in review, awaiting complements
    and refused."""
    for index in range(size):
        filed(student_last_name=f"Nom{index}")
        assigned = filed(student_last_name=f"Confié{index}")
        services.dossier_assign(dossier=assigned, actor=supervisor, assignee=agent)
        in_review(agent=agent, student_last_name=f"Revu{index}")
        awaiting = in_review(agent=agent, student_last_name=f"Attente{index}")
        types = list(awaiting.category.document_types.filter(code="passport"))
        services.dossier_request_complements(
            dossier=awaiting, actor=agent, document_types=types, message=f"Pièce {index}"
        )
        refused = in_review(agent=agent, student_last_name=f"Refus{index}")
        services.dossier_refuse(dossier=refused, actor=agent, reason="other", comment="Contrat non signé.")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", list(TABS))
def test_inbox_tabs(client, agent, supervisor, django_assert_num_queries, size, tab):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    client.force_login(agent)
    with django_assert_num_queries(INBOX_TAB_QUERIES[tab]):
        assert client.get(reverse("backoffice:inbox"), {"tab": tab}).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_workload(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    client.force_login(supervisor)
    with django_assert_num_queries(WORKLOAD_QUERIES):
        assert client.get(reverse("backoffice:workload")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_export_csv(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    client.force_login(agent)
    with django_assert_num_queries(EXPORT_CSV_QUERIES - copy_uncounted()):
        response = client.get(reverse("backoffice:export_csv"), {"tab": "all"})
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.count(b"\n") >= 1 + 5 * size


@pytest.mark.parametrize("size", SIZES)
def test_export_xlsx(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    client.force_login(agent)
    with django_assert_num_queries(EXPORT_XLSX_QUERIES):
        response = client.get(reverse("backoffice:export_xlsx"), {"tab": "all"})
        assert response.status_code == 200
        b"".join(response.streaming_content)


@pytest.mark.parametrize("size", SIZES)
def test_applicant_dossier_list(client, applicant, agent, django_assert_num_queries, size):
    for index in range(size):
        complete_draft(applicant=applicant, student_last_name=f"Nom{index}")
        filed(applicant=applicant)
    client.force_login(applicant)
    with django_assert_num_queries(APPLICANT_DASHBOARD_QUERIES):
        assert client.get(reverse("applicant:dashboard")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_applicant_tracking_page(client, applicant, agent, django_assert_num_queries, size):
    dossier = in_review(agent=agent, applicant=applicant)
    for index in range(size):
        attach_document(dossier, None, name=f"piece-{index}.pdf")
        services.message_post(dossier=dossier, actor=applicant, body=f"Question {index}")
        services.message_post(dossier=dossier, actor=agent, body=f"Réponse {index}")
    client.force_login(applicant)
    client.get(reverse("applicant:dossier", args=[dossier.uuid]))
    with django_assert_num_queries(TRACKING_PAGE_QUERIES):
        assert client.get(reverse("applicant:dossier", args=[dossier.uuid])).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_api_tokens(client, supervisor, paris, django_assert_num_queries, size):
    expires = timezone.now() + datetime.timedelta(days=30)
    for index in range(size):
        tokens.token_create(
            actor=supervisor, name=f"Jeton {index}", scopes=["dossiers:read"], expires_at=expires, unit=paris
        )
    assert ApiToken.objects.count() == size
    client.force_login(supervisor)
    with django_assert_num_queries(TOKENS_QUERIES):
        assert client.get(reverse("api:tokens")).status_code == 200


def _endpoints(size, *, supervisor, unit):
    return [
        webhook_services.endpoint_create(
            actor=supervisor,
            url=f"http://127.0.0.1:9/hook-{index}",
            event_types=["dossier.decided"],
            unit=unit,
        )[0]
        for index in range(size)
    ]


@pytest.mark.parametrize("size", SIZES)
def test_webhooks(client, supervisor, paris, django_assert_num_queries, size):
    _endpoints(size, supervisor=supervisor, unit=paris)
    client.force_login(supervisor)
    with django_assert_num_queries(WEBHOOKS_QUERIES):
        assert client.get(reverse("api:webhooks")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_webhook_deliveries(client, supervisor, paris, django_assert_num_queries, size):
    [endpoint] = _endpoints(1, supervisor=supervisor, unit=paris)
    for index in range(size):
        WebhookDelivery.objects.create(
            endpoint=endpoint, message_id=f"msg_{index}", event_type="dossier.decided", payload={}
        )
    client.force_login(supervisor)
    with django_assert_num_queries(WEBHOOK_DETAIL_QUERIES):
        assert client.get(reverse("api:webhook", args=[endpoint.pk])).status_code == 200


@pytest.fixture
def _own_keyring(settings, tmp_path):
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""


def verify_url(permit) -> str:
    return reverse("permits:verify", kwargs={"seal": permit.seal})


def _permits(size, *, agent, capture):
    return [accept(complete_draft(), agent=agent, capture=capture) for _ in range(size)]


@pytest.mark.parametrize("size", [1, 3])
def test_verification_page(
    _own_keyring,
    client,
    agent,
    supervisor,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    size,
):
    permits = _permits(size, agent=agent, capture=django_capture_on_commit_callbacks)
    for other in permits[1:]:
        permit_services.permit_revoke(permit=other, actor=supervisor, reason="Erreur")
    cache.clear()
    with django_assert_num_queries(VERIFY_PAGE_QUERIES):
        assert client.get(verify_url(permits[0])).status_code == 200


@pytest.mark.parametrize("size", [1, 3])
def test_revocation_list(
    _own_keyring,
    client,
    agent,
    supervisor,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
    size,
):
    for permit in _permits(size, agent=agent, capture=django_capture_on_commit_callbacks):
        permit_services.permit_revoke(permit=permit, actor=supervisor, reason="Erreur")
    cache.clear()
    with django_assert_num_queries(REVOCATION_LIST_QUERIES):
        assert client.get(reverse("permits:revocations")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_public_statistics(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    cache.clear()
    with django_assert_num_queries(PUBLIC_STATS_QUERIES - copy_uncounted()):
        assert client.get(reverse("stats:public")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_unit_statistics(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    client.force_login(supervisor)
    cache.clear()
    with django_assert_num_queries(UNIT_STATS_QUERIES - copy_uncounted()):
        assert client.get(reverse("stats:unit")).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_public_statistics_csv(client, agent, supervisor, django_assert_num_queries, size):
    _filed_dossiers(size, agent=agent, supervisor=supervisor)
    cache.clear()
    with django_assert_num_queries(PUBLIC_STATS_CSV_QUERIES - copy_uncounted()):
        assert client.get(reverse("stats:public_csv")).status_code == 200
