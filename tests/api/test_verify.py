"""POST /api/v1/verify: the same verdicts as /V/ and `manage.py verify_permit`, one seal or a batch."""

import datetime

import pytest
from django.utils import timezone

from workinfrance.permits.management.commands.verify_permit import EXIT_CODES
from workinfrance.permits.services import permit_qr_text, permit_revoke

from tests.api.helpers import call, make_token
from tests.permits.helpers import verdict_in
from tests.permits.test_keys_and_cli import run

CLI_VERDICTS = {code: verdict.value for verdict, code in EXIT_CODES.items()}


def _altered(text: str) -> str:
    """One character changed inside the signature: still a well-formed seal, no longer genuine."""
    i = len(text) - 30
    return text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]


def _three_ways(client, text: str) -> tuple[str, str, str]:
    api = call(client, "POST", "/api/v1/verify", body={"seal": text}).json()["results"][0]["verdict"]
    page = verdict_in(client.get("/V/" + text.rsplit("/V/", 1)[-1]))
    code, _out = run("verify_permit", text)
    return api, page, CLI_VERDICTS[code]


def test_same_verdicts_as_the_page_and_the_command(client, world, django_capture_on_commit_callbacks):
    permit = world.permit
    text = permit_qr_text(permit)
    assert _three_ways(client, text) == ("valid",) * 3
    assert _three_ways(client, _altered(text)) == ("not_genuine",) * 3
    permit.valid_from = timezone.localdate() - datetime.timedelta(days=40)
    permit.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):  # the cached state is dropped on commit
        permit.save()
    assert _three_ways(client, text) == ("expired",) * 3
    with django_capture_on_commit_callbacks(execute=True):
        permit_revoke(permit=permit, actor=world.supervisor, reason="Contrat rompu")
    assert _three_ways(client, text) == ("revoked",) * 3
    answer = call(client, "POST", "/api/v1/verify", body={"seal": text}).json()["results"][0]
    permit.refresh_from_db()
    revoked_at = datetime.datetime.fromisoformat(answer["revoked_at"])
    assert abs(revoked_at - permit.revoked_at) < datetime.timedelta(milliseconds=1)
    assert (
        answer["signed"]["number"] == permit.number
        and answer["signed"]["birth_date"] == permit.holder_birth_date.isoformat()
    )


def test_malformed_is_told_apart_from_not_genuine(client, world):
    text = permit_qr_text(world.permit)
    results = call(
        client, "POST", "/api/v1/verify", body={"seal": "HTTPS://EXAMPLE.TEST/V/not-a-seal"}
    ).json()["results"]
    assert results == [{"verdict": "malformed", "signed": None, "revoked_at": None}]
    altered = call(client, "POST", "/api/v1/verify", body={"seal": _altered(text)}).json()["results"][0]
    assert altered == {"verdict": "not_genuine", "signed": None, "revoked_at": None}


def test_batch_needs_a_token_keeps_the_order_and_stops_at_1000(client, world):
    text = permit_qr_text(world.permit)
    batch = [text, "garbage", _altered(text), text]
    assert call(client, "POST", "/api/v1/verify", body={"seals": batch}).status_code == 401
    token = make_token(world.employer, siret=world.accepted.employer_siret)
    response = call(client, "POST", "/api/v1/verify", token, {"seals": batch})
    assert response.status_code == 200
    assert [r["verdict"] for r in response.json()["results"]] == [
        "valid",
        "malformed",
        "not_genuine",
        "valid",
    ]
    assert call(client, "POST", "/api/v1/verify", token, {"seals": [text] * 1000}).status_code == 200
    too_many = call(client, "POST", "/api/v1/verify", token, {"seals": [text] * 1001})
    assert too_many.status_code == 422


@pytest.mark.parametrize("presented", ["wif_000000000000_nope", "not-even-a-token"])
def test_a_bad_token_is_refused_even_for_a_single_check(client, world, presented):
    text = permit_qr_text(world.permit)
    assert call(client, "POST", "/api/v1/verify", presented, {"seal": text}).status_code == 401


def test_single_checks_without_token_are_throttled_per_client(client, world, settings):
    settings.WIF_API_VERIFY_ANONYMOUS_RATE = 2
    body = {"seal": permit_qr_text(world.permit)}
    statuses = [call(client, "POST", "/api/v1/verify", body=body).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    token = make_token(world.employer, siret=world.accepted.employer_siret)
    assert call(client, "POST", "/api/v1/verify", token, body).status_code == 200
