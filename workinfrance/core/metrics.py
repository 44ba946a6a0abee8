"""Prometheus metrics at /metrics, for the monitoring system only.

Counted as they happen (prometheus_client): requests and their latency by view, Celery tasks and
their duration. Under gunicorn and Celery these live in several processes: with
PROMETHEUS_MULTIPROC_DIR set (one empty directory per machine, shared by its processes), a scrape
adds up every process's files. Read from the database and the broker at each scrape, so they are
right whichever machine did the work: permits issued, outgoing messages pending, Celery queue
length, and the last beat heartbeat (beat → broker → worker alive).

Never public: answered only to a bearer token (WIF_METRICS_TOKEN) or a client address in
WIF_METRICS_ALLOWED_IPS; 404 to anyone else, and to everyone when neither is set."""

import hmac
import ipaddress
import logging
import os
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .client import client_address

logger = logging.getLogger(__name__)
BEAT_HEARTBEAT_KEY = "wif:beat:heartbeat"

REQUESTS = Counter("wif_http_requests", "HTTP requests answered", ["method", "view", "status"])
REQUEST_SECONDS = Histogram(
    "wif_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASKS = Counter("wif_celery_tasks", "Celery tasks run by the workers", ["task", "state"])
TASK_SECONDS = Histogram(
    "wif_celery_task_duration_seconds",
    "Time a Celery task ran",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800),
)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"  # bounded: route names, not paths
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response


_task_started: dict[str, float] = {}


@task_prerun.connect
def _task_start(task_id=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_done(task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    TASKS.labels(name, state or "UNKNOWN").inc()
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


def _celery_queue_lengths() -> dict[str, int]:
    """Messages waiting in the broker's queues (Redis broker only: a list per queue)."""
    from config.celery import app

    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://")):
        return {}
    import redis

    queues = {queue.name for queue in app.amqp.queues.values()} or {"celery"}
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return {name: int(client.llen(name)) for name in sorted(queues)}
    finally:
        client.close()


class ServiceCollector:
    """Figures read at scrape time (database, broker, cache): the same whichever process answers."""

    def collect(self):
        from workinfrance.outbox.models import OutboxMessage, OutboxStatus
        from workinfrance.permits.models import Permit

        permits = CounterMetricFamily("wif_permits_issued", "Permits issued since the service started")
        permits.add_metric([], Permit.objects.count())
        yield permits
        pending = GaugeMetricFamily("wif_outbox_pending_messages", "Outgoing messages not yet delivered")
        pending.add_metric([], OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count())
        yield pending
        try:
            lengths = _celery_queue_lengths()
        except Exception as error:  # the broker is an accelerator: its outage shows as a missing series
            logger.warning("metrics: Celery queue length unreadable: %s", error)
            lengths = {}
        queue = GaugeMetricFamily("wif_celery_queue_length", "Tasks waiting in the broker", labels=["queue"])
        for name, length in lengths.items():
            queue.add_metric([name], length)
        yield queue
        heartbeat = cache.get(BEAT_HEARTBEAT_KEY)
        if heartbeat is not None:
            beat = GaugeMetricFamily(
                "wif_beat_heartbeat_timestamp_seconds", "When a worker last ran beat's heartbeat task"
            )
            beat.add_metric([], float(heartbeat))
            yield beat


def _allowed(request) -> bool:
    token = settings.WIF_METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    networks = settings.WIF_METRICS_ALLOWED_IPS
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    read = CollectorRegistry()
    read.register(ServiceCollector())
    return generate_latest(counted) + generate_latest(read)


@never_cache
def metrics(request):
    if not _allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
