"""The periodic tasks the service relies on are scheduled, and beat refuses to start otherwise."""

import pytest
from django.core import checks

from config.celery import _refuse_a_broken_schedule
from config.celery import app as celery_app
from workinfrance.core.beat import REQUIRED_PERIODIC_TASKS, beat_schedule_problems


def test_the_configured_schedule_is_complete_and_every_task_exists():
    assert beat_schedule_problems() == []


def test_a_missing_sweep_or_a_misspelt_task_is_reported(settings):
    schedule = {key: entry for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if key != "outbox-sweep"}
    schedule["typo"] = {"task": "workinfrance.outbox.tasks.swep_outbox", "schedule": 30}
    settings.CELERY_BEAT_SCHEDULE = schedule
    problems = beat_schedule_problems()
    assert any("sweep_outbox" in p and "not in CELERY_BEAT_SCHEDULE" in p for p in problems)
    assert any("unknown task 'workinfrance.outbox.tasks.swep_outbox'" in p for p in problems)
    assert [e.id for e in checks.run_checks() if e.id == "workinfrance.E014"] == ["workinfrance.E014"] * 2
    with pytest.raises(SystemExit, match="beat schedule refused"):
        _refuse_a_broken_schedule()


def test_every_required_task_is_scheduled(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(REQUIRED_PERIODIC_TASKS) <= scheduled


def test_a_killed_workers_task_comes_back_within_minutes():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.broker_transport_options["visibility_timeout"] <= 900
    # Publishing from a web request gives up quickly when the broker is away (the sweeps catch up).
    assert conf.task_publish_retry_policy["max_retries"] <= 1
