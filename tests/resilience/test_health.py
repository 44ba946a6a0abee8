"""/healthz and /readyz: the parts really cut (Redis stopped, broker at a closed port, storage read-only)."""

import json
import os

from tests.faults import celery_broker, closed_port
from tests.resilience.test_redis_outage import redis_server  # noqa: F401  (fixture)


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and json.loads(response.content) == {"status": "ok"}


def test_readyz_all_parts_up(client, db):
    status, body = ready(client)
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "signing_key", "storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_redis_and_broker_down_is_degraded_not_unavailable(client, db, redis_server):  # noqa: F811
    redis_server.stop()
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        status, body = ready(client)
    assert status == 200 and body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False and body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    redis_server.start()
    status, body = ready(client)
    assert body["checks"]["cache"]["ok"] is True  # seen back at once, whatever the circuit says


def test_readyz_storage_not_writable_is_unavailable(client, db, settings, tmp_path):
    media = tmp_path / "readonly"
    (media / "tmp").mkdir(parents=True)
    os.chmod(media / "tmp", 0o500)
    os.chmod(media, 0o500)
    settings.MEDIA_ROOT = media
    try:
        if os.access(media / "tmp", os.W_OK):  # running as root: permissions do not bind
            os.chmod(media, 0o700)
            os.chmod(media / "tmp", 0o700)
            (media / "tmp").rmdir()
            (media / "tmp").write_text("a file where the folder should be")
        status, body = ready(client)
    finally:
        os.chmod(media, 0o700)
    assert status == 503 and body["status"] == "unavailable" and body["checks"]["storage"]["ok"] is False


def test_readyz_without_a_signing_key_in_production_is_unavailable(client, db, settings, tmp_path):
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "no-keys"
    settings.WIF_SIGNING_KEY_AUTO_CREATE = False
    status, body = ready(client)
    assert status == 503 and body["checks"]["signing_key"]["ok"] is False
