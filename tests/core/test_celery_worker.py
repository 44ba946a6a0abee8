"""A real Celery worker against the local Redis: the production path of background tasks."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from workinfrance.core.tasks import worker_echo

REDIS = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_celery():
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_always_eager=False)
    try:
        yield app
    finally:
        app.conf.update(saved)


def test_a_real_worker_runs_a_task_through_redis(redis_celery):
    with start_worker(redis_celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = worker_echo.delay("bonjour")
        assert result.get(timeout=20) == "bonjour"
        assert result.successful()


def test_without_a_broker_tasks_run_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert worker_echo.delay("salut").get(timeout=1) == "salut"
