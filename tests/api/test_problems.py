"""Errors are RFC 9457 problems in the caller's language; bad input never yields a 500."""

import pytest

from workinfrance.core.models import Event

from tests.api.helpers import call, make_token


@pytest.fixture
def token(world):
    return make_token(world.supervisor, unit=world.paris)


@pytest.mark.parametrize(
    ("language", "detail_word"),
    [("en", "Send"), ("fr", "Envoyez"), ("de", "Envoyez"), ("en-GB,en;q=0.8", "Send")],
)
def test_problem_in_the_callers_language(client, db, language, detail_word):
    response = client.get("/api/v1/unit/dossiers", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["status"] == 401 and problem["type"].endswith("/unauthorized")
    assert detail_word in problem["detail"]
    assert response["Content-Language"] == ("fr" if detail_word == "Envoyez" else "en")


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("post", "/api/v1/unit/dossiers/{n}/accept", "{not json", "application/json"),
        ("post", "/api/v1/unit/dossiers/{n}/accept", '{"validity_start": "2026-13-45"}', "application/json"),
        ("post", "/api/v1/unit/dossiers/{n}/refuse", '{"reason": "whim"}', "application/json"),
        ("post", "/api/v1/unit/dossiers/{n}/accept", "[]", "application/json"),
        ("post", "/api/v1/unit/dossiers/{n}/accept", "a=b", "application/x-www-form-urlencoded"),
        ("get", "/api/v1/unit/dossiers?limit=0", None, None),
        ("get", "/api/v1/unit/dossiers?limit=abc", None, None),
        ("get", "/api/v1/unit/dossiers?cursor=%%%", None, None),
        ("get", "/api/v1/unit/dossiers?cursor=WzEsMiwzXQ", None, None),
        ("get", "/api/v1/unit/dossiers?category=nope", None, None),
        ("get", "/api/v1/unit/dossiers?filed_from=yesterday", None, None),
        ("get", "/api/v1/unit/dossiers?assignee=x1", None, None),
        ("get", "/api/v1/unit/dossiers?state=draft", None, None),
        ("get", "/api/v1/unit/dossiers/{n}/documents/notanumber", None, None),
        ("post", "/api/v1/verify", '{"seals": "abc"}', "application/json"),
        ("post", "/api/v1/verify", '{"seal": "x", "seals": ["y"]}', "application/json"),
        ("post", "/api/v1/verify", "{}", "application/json"),
    ],
)
def test_bad_input_is_a_4xx_problem(client, world, token, method, path, body, content_type):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=body, content_type=content_type)
    response = getattr(client, method)(path.format(n=world.in_review.number), **kwargs)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


def test_refused_transition_is_a_409_conflict(client, world, token):
    response = call(
        client,
        "POST",
        f"/api/v1/unit/dossiers/{world.accepted.number}/take",
        token,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")


def test_throttled_per_token_with_retry_after(client, world, settings):
    settings.WIF_API_TOKEN_RATE = 3
    token = make_token(world.supervisor, unit=world.paris)
    other = make_token(world.supervisor, unit=world.paris)
    statuses = [call(client, "GET", "/api/v1/unit/dossiers", token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = call(client, "GET", "/api/v1/unit/dossiers", token)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.WIF_API_THROTTLE_WINDOW
    # Per token: another token of the same unit is not held back.
    assert call(client, "GET", "/api/v1/unit/dossiers", other).status_code == 200


def test_every_call_is_audited_with_the_token_id_never_its_secret(client, world, token):
    from workinfrance.api.models import ApiToken

    record = ApiToken.objects.get(prefix=token.split("_")[1])
    call(client, "GET", f"/api/v1/unit/dossiers/{world.in_review.number}", token)
    call(client, "GET", "/api/v1/unit/dossiers/WIF-0000-00-999999", token)
    calls = list(Event.objects.filter(verb="api.call").order_by("pk"))
    assert [(e.data["token"], e.data["status"], e.target_id) for e in calls] == [
        (record.pk, 200, str(record.pk)),
        (record.pk, 404, str(record.pk)),
    ]
    assert calls[0].data["number"] == world.in_review.number
    assert "number" not in calls[1].data  # request input is recorded only once it proved real
    assert calls[0].actor == world.supervisor
    secret = token.split("_", 2)[2]
    assert all(secret not in str(e.data) for e in Event.objects.all())
    # The read itself is in the dossier's history, as for the back-office screen.
    assert Event.objects.filter(
        verb="dossier.view", target_id=str(world.in_review.pk), actor=world.supervisor
    ).exists()


def test_token_stops_working_when_its_supervisor_leaves_the_unit(client, world, token):
    world.supervisor.units.remove(world.paris)
    assert call(client, "GET", "/api/v1/unit/dossiers", token).status_code == 401


def test_openapi_document_and_docs_page_are_served_locally(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "https://" not in html.split("<body")[0]
    csp = docs["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
