"""Structured logs (issue 19): production writes one JSON object per line, and every line of a
request carries the request id that the response sends back in X-Request-ID."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from config.settings.logs import logging_config
from workinfrance.core import health, request_id


@pytest.fixture
def json_log():
    """The production logging configuration, writing to a buffer; the test configuration afterwards."""
    buffer = io.StringIO()
    config = logging_config("json", "INFO")
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(django_settings.LOGGING)


def records(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_every_line_of_a_request_is_json_with_the_id_the_response_carries(client, db, json_log, monkeypatch):
    def failing_cache():
        raise ConnectionError("the cache does not answer")

    monkeypatch.setitem(health.CHECKS, "cache", failing_cache)  # readyz then logs a warning
    response = client.get(reverse("core:readyz"))
    request_id_sent = response["X-Request-ID"]
    assert len(request_id_sent) >= 16
    lines = records(json_log)
    assert len(lines) >= 2
    assert {line["request_id"] for line in lines} == {request_id_sent}
    warning = next(line for line in lines if line["level"] == "WARNING")
    assert "cache failed" in warning["message"]
    summary = next(line for line in lines if line["logger"] == "workinfrance.request")
    assert (summary["method"], summary["path"], summary["status"]) == ("GET", "/readyz", 200)
    assert summary["time"].endswith("+00:00")


def test_an_id_from_the_proxy_is_kept_a_malformed_one_replaced(client, db, json_log):
    sent = "nginx-0123456789abcdef"
    assert client.get(reverse("core:healthz"), HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent
    forged = "bad id\nwith a line break"
    replaced = client.get(reverse("core:healthz"), HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
    assert replaced != forged and "\n" not in replaced and len(replaced) == 32
    ids = [line["request_id"] for line in records(json_log)]
    assert ids == [sent, replaced]


def test_lines_outside_a_request_have_no_id(json_log):
    logging.getLogger("workinfrance.test").warning("between requests")
    assert records(json_log)[-1]["request_id"] is None


def test_tasks_queued_in_a_request_carry_its_id_in_a_header():
    token = request_id._current.set("request-id-of-the-test")
    try:
        headers = {}
        request_id._send_request_id(headers=headers)
    finally:
        request_id._current.reset(token)
    assert headers == {request_id.TASK_HEADER: "request-id-of-the-test"}

    class Task:
        class request:  # noqa: N801 (Celery's attribute name)
            wif_request_id = "request-id-of-the-test"

    request_id._receive_request_id(task_id="t1", task=Task)
    assert request_id.current_request_id() == "request-id-of-the-test"
    request_id._forget_request_id(task_id="t1")
    assert request_id.current_request_id() is None


def test_production_logs_json_and_development_readable_lines():
    from tests.core.test_settings import PROD_ENV, load_settings

    code = "import django; from django.conf import settings; django.setup(); print(settings.WIF_LOG_FORMAT)"
    assert load_settings("config.settings.prod", PROD_ENV, code=code).stdout.strip() == "json"
    assert load_settings("config.settings.dev", {}, code=code).stdout.strip() == "text"


def test_a_task_queued_under_a_request_id_logs_under_it_in_a_real_worker(tmp_path):
    """Through Redis and a Celery worker process, both configured from the environment with JSON
    logs: the worker's line for the task carries the id the publisher had."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "REDIS_URL": os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15"),
        "WIF_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WIF_LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "worker.log").open("wb")
    name = f"rid-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "info", "-n", name,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", f"rid-{os.getpid()}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    sent = f"rid-test-{os.getpid()}-{int(time.time())}"
    try:
        publish = (
            "import django; django.setup(); from workinfrance.core import request_id; "
            "from workinfrance.core.tasks import worker_echo; "
            f"request_id._current.set({sent!r}); "
            f"print(worker_echo.apply_async(('x',), queue='rid-{os.getpid()}').get(timeout=60))"
        )
        result = subprocess.run(
            [sys.executable, "-c", publish], cwd=root, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = [
                json.loads(line)
                for line in (tmp_path / "worker.log").read_text(errors="replace").splitlines()
                if line.startswith("{")
            ]
            task_lines = [
                line for line in lines if "worker_echo" in line["message"] and "succeeded" in line["message"]
            ]
            if task_lines:
                assert task_lines[0]["request_id"] == sent
                return
            time.sleep(0.5)
        raise AssertionError("no JSON line of the task in the worker's log")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
