"""Redis stopped for real in the middle of a test: pages degrade, decisions are recorded,
security throttles fail closed with a clear message, never a 500."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from workinfrance.core import cache as resilient
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.permits import services as permit_services
from workinfrance.permits.selectors import _state_cache_key

from tests.backoffice.conftest import in_review
from tests.factories import UserFactory, complete_draft
from tests.faults import RedisServer
from tests.permits.helpers import accept, verdict_in


@pytest.fixture
def redis_server(settings, tmp_path):
    """A redis-server of this test's own, as the shared cache."""
    server = RedisServer(tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "workinfrance.core.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    resilient.circuit_reset()
    yield server
    server.stop()
    resilient.circuit_reset()


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"


def accept_data(dossier) -> dict:
    terms = services.permit_terms_proposed(dossier)
    return {
        "accept-validity_start": terms.validity_start.isoformat(),
        "accept-validity_end": terms.validity_end.isoformat(),
        "accept-weekly_hours": str(terms.weekly_hours),
    }


def test_redis_stopped_mid_test_nothing_answers_500(
    redis_server, client, applicant, agent, supervisor, django_capture_on_commit_callbacks, caplog
):
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    seal_url = reverse("permits:verify", kwargs={"seal": permit.seal})
    assert verdict_in(client.get(seal_url)) == "valid"
    assert cache.get(_state_cache_key(permit.uuid)) is not None  # Redis really is the cache

    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        # Public pages: served from the database.
        assert verdict_in(client.get(seal_url)) == "valid"
        assert client.get(reverse("stats:public")).status_code == 200
        assert client.get(reverse("core:home")).status_code == 200
        assert client.get(reverse("accounts:login")).status_code == 200

        # Decisions: recorded, each with its e-mail in the outbox.
        client.force_login(agent)
        dossiers = [in_review(agent=agent) for _ in range(3)]
        for dossier in dossiers:
            url = reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "accept"})
            with django_capture_on_commit_callbacks(execute=True):
                assert client.post(url, accept_data(dossier)).status_code == 302
            dossier.refresh_from_db()
            assert dossier.state == State.ACCEPTED and dossier.permits.count() == 1

        # Revocation: recorded, and the page says so at once (no stale cache to serve).
        with django_capture_on_commit_callbacks(execute=True):
            permit_services.permit_revoke_by_supervisor(permit=permit, actor=supervisor, reason="Fraude")
        client.logout()
        assert verdict_in(client.get(seal_url)) == "revoked"
    assert "Cache unavailable" in caplog.text


def test_without_redis_login_and_number_lookup_fail_closed_with_a_message(redis_server, client, db):
    user = UserFactory(email="someone@example.test")
    redis_server.stop()
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 503
    assert "momentanément indisponible" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("permits:verify_form"), {"number": "APT-2026-75-7K3M9QXA", "birth_date": "2002-03-14"}
    )
    assert response.status_code == 503
    assert "momentanément indisponible" in response.content.decode()

    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "x"})
    assert response.status_code == 503 and "temporarily unavailable" in response.content.decode()


def test_with_redis_back_the_login_works_again(redis_server, client, db):
    user = UserFactory(email="back@example.test")
    redis_server.stop()
    assert (
        client.post(reverse("accounts:login"), {"username": user.email, "password": "x"}).status_code == 503
    )
    redis_server.start()
    resilient.circuit_reset()  # stands for the few seconds the circuit stays open
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_cache_invalidation_waits_for_the_commit(
    redis_server, client, applicant, agent, supervisor, django_capture_on_commit_callbacks
):
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    client.get(reverse("permits:verify", kwargs={"seal": permit.seal}))
    key = _state_cache_key(permit.uuid)
    assert cache.get(key) is not None
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        permit_services.permit_revoke_by_supervisor(permit=permit, actor=supervisor, reason="Fraude")
    assert cache.get(key) is not None  # nothing inside the write transaction touched the cache
    for callback in callbacks:
        callback()
    assert cache.get(key) is None
