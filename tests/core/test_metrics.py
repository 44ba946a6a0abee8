"""Prometheus metrics (issue 19): closed unless a token or an allowed address, and counters that
move, read back with prometheus_client's own exposition parser."""

import pytest
from django.test import Client
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from workinfrance.core import metrics
from workinfrance.outbox.models import OutboxMessage, OutboxStatus

from tests.factories import complete_draft
from tests.permits.helpers import permit_with_validity

TOKEN = "a-metrics-token-for-tests"


def scrape(client=None) -> dict[tuple[str, tuple], float]:
    response = (client or Client()).get(reverse("core:metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.fixture(autouse=True)
def _token(settings):
    settings.WIF_METRICS_TOKEN = TOKEN
    settings.WIF_METRICS_ALLOWED_IPS = []
    settings.WIF_TRUSTED_PROXIES = []


def test_metrics_answer_no_one_by_default(client, settings, db):
    settings.WIF_METRICS_TOKEN = ""
    assert client.get(reverse("core:metrics")).status_code == 404
    assert client.get(reverse("core:metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_only_the_right_token_opens_the_metrics(client, db):
    assert client.get(reverse("core:metrics")).status_code == 404
    assert client.get(reverse("core:metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get(reverse("core:metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_the_allow_list_is_checked_on_the_client_address(settings, db):
    settings.WIF_METRICS_TOKEN = ""
    settings.WIF_METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert Client(REMOTE_ADDR="10.1.2.3").get(reverse("core:metrics")).status_code == 200
    assert Client(REMOTE_ADDR="10.2.0.1").get(reverse("core:metrics")).status_code == 404
    # An untrusted peer cannot claim an allowed address.
    forged = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forged.get(reverse("core:metrics")).status_code == 404
    # Behind the trusted proxy, the forwarded address is the client's.
    settings.WIF_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert proxied.get(reverse("core:metrics")).status_code == 200


def test_a_permit_issued_moves_the_permits_counter(applicant, agent):
    before = scrape()[("wif_permits_issued_total", ())]
    permit_with_validity(applicant, agent)
    assert scrape()[("wif_permits_issued_total", ())] == before + 1


def test_requests_and_latency_are_counted_by_view(client, db):
    key = ("wif_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "core:healthz")))
    count_key = ("wif_http_request_duration_seconds_count", (("view", "core:healthz"),))
    before = scrape()
    for _ in range(3):
        client.get(reverse("core:healthz"))
    after = scrape()
    assert after[key] == before.get(key, 0) + 3
    assert after[count_key] == before.get(count_key, 0) + 3


def test_outbox_pending_messages_are_a_gauge(applicant, agent):
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    assert scrape()[("wif_outbox_pending_messages", ())] == pending
    from workinfrance.dossiers import services as dossier_services

    dossier_services.dossier_submit(dossier=complete_draft(applicant=applicant), actor=applicant)
    now_pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    assert now_pending > pending  # the filing's e-mail waits for its task (not run here)
    assert scrape()[("wif_outbox_pending_messages", ())] == now_pending


def test_tasks_are_counted_with_their_outcome(db):
    from workinfrance.core.tasks import worker_echo

    key = ("wif_celery_tasks_total", (("state", "SUCCESS"), ("task", worker_echo.name)))
    before = scrape().get(key, 0)
    worker_echo.delay("x")  # eager in tests: the same signals as in a worker
    assert scrape()[key] == before + 1


def test_the_beat_heartbeat_is_exposed_once_it_ran(db):
    from django.core.cache import cache

    from workinfrance.core.tasks import beat_heartbeat

    cache.delete(metrics.BEAT_HEARTBEAT_KEY)
    assert not any(name == "wif_beat_heartbeat_timestamp_seconds" for name, _ in scrape())
    beat_heartbeat.delay()
    assert scrape()[("wif_beat_heartbeat_timestamp_seconds", ())] > 0


def test_metrics_are_still_answered_during_maintenance(client, settings, tmp_path, db):
    from workinfrance.core.maintenance import maintenance_off, maintenance_on

    settings.WIF_MAINTENANCE_FILE = str(tmp_path / "maintenance.on")
    maintenance_on(notice="")
    try:
        assert client.get(reverse("core:healthz")).status_code == 200
        assert client.get(reverse("accounts:login")).status_code == 503
        scrape(client)  # asserts 200: monitoring goes on during a planned outage
    finally:
        maintenance_off()
