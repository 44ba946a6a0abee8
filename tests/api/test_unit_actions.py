"""Actions through the back-office services (every lifecycle rule holds), idempotent with a key."""

from workinfrance.api.models import IdempotentResponse
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.services import permit_terms_proposed

from tests.api.helpers import call, make_token


def _terms(dossier) -> dict:
    return {k: str(v) for k, v in permit_terms_proposed(dossier).__dict__.items()}


def test_take_then_accept_issues_a_permit_like_the_back_office(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    dossier = world.submitted
    response = call(client, "POST", f"/api/v1/unit/dossiers/{dossier.number}/take", token)
    assert response.status_code == 200 and response.json()["state"] == "in_review"
    assert response.json()["assignee_id"] == world.supervisor.pk
    response = call(client, "POST", f"/api/v1/unit/dossiers/{dossier.number}/accept", token, _terms(dossier))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "accepted" and len(body["permits"]) == 1
    verbs = list(
        Event.objects.filter(target_id=str(dossier.pk), verb__startswith="dossier.").values_list(
            "verb", flat=True
        )
    )
    assert "dossier.take" in verbs and "dossier.accept" in verbs


def test_accept_checks_the_terms_like_the_back_office(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    terms = _terms(world.in_review)
    terms["validity_end"] = "2099-01-01"
    response = call(client, "POST", f"/api/v1/unit/dossiers/{world.in_review.number}/accept", token, terms)
    assert response.status_code == 422
    world.in_review.refresh_from_db()
    assert world.in_review.state == State.IN_REVIEW


def test_refuse_other_needs_a_comment_and_request_complements_needs_known_types(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    url = f"/api/v1/unit/dossiers/{world.in_review.number}"
    assert call(client, "POST", f"{url}/refuse", token, {"reason": "other"}).status_code == 422
    bad = {"message": "Pièce ?", "document_types": ["not-a-type"]}
    assert call(client, "POST", f"{url}/request-complements", token, bad).status_code == 422
    good = {"message": "Ajoutez le passeport.", "document_types": ["passport"]}
    response = call(client, "POST", f"{url}/request-complements", token, good)
    assert response.status_code == 200 and response.json()["state"] == "awaiting_complements"


def test_same_idempotency_key_acts_once_and_replays_the_first_answer(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    url = f"/api/v1/unit/dossiers/{world.in_review.number}/refuse"
    body = {"reason": "hours", "comment": ""}
    first = call(client, "POST", url, token, body, HTTP_IDEMPOTENCY_KEY="k-1")
    second = call(client, "POST", url, token, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and second["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(verb="dossier.refuse", target_id=str(world.in_review.pk)).count() == 1
    # Without the key, a retry meets the new state: the lifecycle refuses deciding twice.
    assert call(client, "POST", url, token, body).status_code == 409
    # The same key for another request is refused rather than replayed.
    other = call(client, "POST", url, token, {"reason": "salary", "comment": ""}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency_mismatch")


def test_a_refusal_is_replayed_too_and_keys_are_per_token(client, world):
    token = make_token(world.supervisor, unit=world.paris)
    other_token = make_token(world.supervisor, unit=world.paris)
    url = f"/api/v1/unit/dossiers/{world.accepted.number}/take"
    first = call(client, "POST", url, token, HTTP_IDEMPOTENCY_KEY="same")
    again = call(client, "POST", url, token, HTTP_IDEMPOTENCY_KEY="same")
    assert first.status_code == again.status_code == 409 and again["Idempotent-Replayed"] == "true"
    fresh = call(
        client,
        "POST",
        f"/api/v1/unit/dossiers/{world.submitted.number}/take",
        other_token,
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert fresh.status_code == 200
    assert IdempotentResponse.objects.count() == 2
