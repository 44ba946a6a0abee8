"""Background tasks in production: a real Celery worker process against the local Redis.

Both sides run as separate processes configured only through the environment, exactly as in
production (`REDIS_URL`), so this covers the settings → broker → worker → result path."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workinfrance.core.tasks import worker_echo

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")


@pytest.fixture
def worker_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REDIS_URL": REDIS,
        "WIF_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield env
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_a_real_worker_answers_through_redis(worker_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check_worker", "--timeout", "30"],
        cwd=ROOT,
        env=worker_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "A worker answered through the broker." in result.stdout


def test_check_worker_fails_clearly_when_no_worker_listens(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "WIF_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check_worker", "--timeout", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "No worker answered within 1.0 s" in result.stderr


def test_without_a_broker_tasks_run_in_process(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert worker_echo.delay("salut").get(timeout=1) == "salut"
