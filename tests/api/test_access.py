"""Every endpoint × every kind of caller → the expected status, and never another owner's data.

One world per test function (its setup dominates), every endpoint and caller inside."""

import datetime
import json

import pytest
from django.utils import timezone

from workinfrance.api.models import ApiToken, Scope, WebhookDelivery
from workinfrance.api.tokens import token_revoke
from workinfrance.api.webhooks.services import endpoint_create
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.lifecycle import State

from tests.api.conftest import OTHER_SIRET
from tests.api.helpers import EMPLOYER_SCOPES, call, make_token
from tests.dossiers.helpers import dossier_in_state
from tests.factories import VALID_SIRET, UserFactory

READ, DOCS, ACT, HOOKS = Scope.DOSSIERS_READ, Scope.DOCUMENTS_READ, Scope.DOSSIERS_ACT, Scope.WEBHOOKS_MANAGE

# (method, path, body, scope, kind of owner, what the target is: "list", "one" or an action's state)
UNIT_ENDPOINTS = [
    ("GET", "/api/v1/unit/dossiers", None, READ, "list"),
    ("GET", "/api/v1/unit/dossiers/{in_review}", None, READ, "one"),
    ("GET", "/api/v1/unit/dossiers/{in_review}/documents", None, DOCS, "one"),
    ("GET", "/api/v1/unit/dossiers/{in_review}/documents/{document}", None, DOCS, "one"),
    ("GET", "/api/v1/unit/dossiers/{in_review}/events", None, READ, "one"),
    ("GET", "/api/v1/unit/dossiers/{accepted}/permit", None, READ, "one"),
    ("GET", "/api/v1/unit/dossiers/{accepted}/permit.pdf", None, DOCS, "one"),
    ("POST", "/api/v1/unit/dossiers/{submitted}/take", None, ACT, State.SUBMITTED),
    (
        "POST",
        "/api/v1/unit/dossiers/{in_review}/request-complements",
        {"message": "Ajoutez le passeport.", "document_types": ["passport"]},
        ACT,
        State.IN_REVIEW,
    ),
    ("POST", "/api/v1/unit/dossiers/{in_review}/accept", "terms", ACT, State.IN_REVIEW),
    (
        "POST",
        "/api/v1/unit/dossiers/{in_review}/refuse",
        {"reason": "hours", "comment": ""},
        ACT,
        State.IN_REVIEW,
    ),
]
EMPLOYER_ENDPOINTS = [
    ("GET", "/api/v1/employer/dossiers", None, READ, "list"),
    ("GET", "/api/v1/employer/dossiers/{in_review}", None, READ, "one"),
    ("GET", "/api/v1/employer/dossiers/{accepted}/permit", None, READ, "one"),
    ("GET", "/api/v1/employer/dossiers/{accepted}/permit.pdf", None, DOCS, "one"),
]
WEBHOOK_ENDPOINTS = [
    ("GET", "/api/v1/webhooks", None, HOOKS, "list"),
    (
        "POST",
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/new", "event_types": ["permit.revoked"]},
        HOOKS,
        "create",
    ),
    ("GET", "/api/v1/webhooks/{webhook}/deliveries", None, HOOKS, "one"),
    ("POST", "/api/v1/webhooks/{webhook}/deliveries/{delivery}/replay", None, HOOKS, "one"),
    ("DELETE", "/api/v1/webhooks/{webhook}", None, HOOKS, "one"),
]
CALLERS = ["none", "expired", "revoked", "wrong_scope", "other_unit", "other_employer", "cross_kind", "owner"]


def _expired(token: str) -> str:
    ApiToken.objects.filter(prefix=token.split("_")[1]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return token


def _revoked(token: str, actor) -> str:
    token_revoke(token=ApiToken.objects.get(prefix=token.split("_")[1]), actor=actor)
    return token


@pytest.fixture
def callers(world):
    """Tokens per caller kind, for the unit side and the employer side."""
    sup, emp = world.supervisor, world.employer
    unit = lambda **kw: make_token(sup, unit=world.paris, **kw)  # noqa: E731
    employer = lambda **kw: make_token(emp, siret=VALID_SIRET, **kw)  # noqa: E731
    common = {
        "none": None,
        "other_unit": make_token(world.lyon_supervisor, unit=world.lyon),
        "other_employer": make_token(world.other_employer, siret=OTHER_SIRET),
    }
    return {
        "unit": {
            **common,
            "expired": _expired(unit()),
            "revoked": _revoked(unit(), sup),
            "cross_kind": employer(),
            "owner": unit(),
            "wrong_scope": lambda scope: unit(scopes=[s for s in Scope.values if s != scope]),
        },
        "employer": {
            **common,
            "expired": _expired(employer()),
            "revoked": _revoked(employer(), emp),
            "cross_kind": unit(),
            "owner": employer(),
            "wrong_scope": lambda scope: employer(scopes=[s for s in EMPLOYER_SCOPES if s != scope]),
        },
    }


def _expected(side: str, caller: str, target: str) -> set[int]:
    if caller in ("none", "expired", "revoked"):
        return {401}
    if caller == "wrong_scope":
        return {403}
    foreign = (side == "unit" and caller == "other_unit") or (
        side == "employer" and caller == "other_employer"
    )
    if caller == "owner" or (foreign and target == "list"):
        return {200}
    if caller == "cross_kind" or (caller in ("other_unit", "other_employer") and not foreign):
        return {403}
    return {404}


def _format(path, world, target_dossier=None, extra=None):
    values = {
        "in_review": world.in_review.number,
        "submitted": world.submitted.number,
        "accepted": world.accepted.number,
        "document": world.in_review.documents.first().pk,
        **(extra or {}),
    }
    if target_dossier is not None:
        values["in_review"] = values["submitted"] = target_dossier.number
    return path.format(**values)


def _foreign_markers(world, side, caller) -> list[str]:
    """What this caller must never read: the Paris world for strangers, Lyon's for the owners."""
    target = [
        world.in_review.number,
        world.accepted.number,
        world.submitted.number,
        "Ciblee",
        "Permisee",
        "Deposee",
    ]
    lyon = [world.lyon_dossier.number, "Lyonnaise", OTHER_SIRET]
    return lyon if caller == "owner" else target


def _answer_text(response) -> str:
    """The JSON answer without `instance` (a problem echoes the path the caller sent)."""
    if not response.get("Content-Type", "").endswith("json"):
        return ""
    data = response.json()
    if isinstance(data, dict):
        data.pop("instance", None)
    return json.dumps(data)


def _run(client, world, callers, side, endpoints, with_pdf_ok=True):
    problems = []
    for method, path, body, scope, target in endpoints:
        for caller in CALLERS:
            token = callers[side][caller]
            if caller == "wrong_scope":
                token = token(scope)
            dossier = None
            if caller == "owner" and target in (State.SUBMITTED, State.IN_REVIEW):
                dossier = dossier_in_state(target, applicant=UserFactory(), unit=world.paris)
            payload = body
            if body == "terms":
                terms = dossier_services.permit_terms_proposed(dossier or world.in_review)
                payload = {k: str(v) for k, v in terms.__dict__.items()}
            url = _format(path, world, dossier)
            response = call(client, method, url, token, payload)
            expected = _expected(side, caller, target)
            if response.status_code not in expected:
                problems.append(
                    f"{method} {url} as {caller}: {response.status_code} not in {expected}: {response.content[:200]}"
                )
            content = _answer_text(response)
            for marker in _foreign_markers(world, side, caller):
                if marker in content:
                    problems.append(f"{method} {url} as {caller} shows {marker}")
    return problems


def test_unit_endpoints(client, world, callers, with_pdf):
    problems = _run(client, world, callers, "unit", UNIT_ENDPOINTS)
    # Refused callers changed nothing.
    world.in_review.refresh_from_db()
    world.submitted.refresh_from_db()
    assert (world.in_review.state, world.submitted.state) == (State.IN_REVIEW, State.SUBMITTED)
    assert problems == []


def test_employer_endpoints(client, world, callers, with_pdf):
    assert _run(client, world, callers, "employer", EMPLOYER_ENDPOINTS) == []


@pytest.mark.parametrize("side", ["unit", "employer"])
def test_webhook_endpoints(client, world, callers, side):
    owner = world.supervisor if side == "unit" else world.employer
    owner_kwargs = {"unit": world.paris} if side == "unit" else {"employer_siret": VALID_SIRET}
    problems = []
    for method, path, body, scope, target in WEBHOOK_ENDPOINTS:
        for caller in CALLERS:
            # A fresh webhook each call: the owner's DELETE removes it.
            endpoint, _secret = endpoint_create(
                actor=owner, url="http://127.0.0.1:9/ciblee", event_types=["dossier.decided"], **owner_kwargs
            )
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint, event_type="dossier.decided", payload={"data": {}}, status="delivered"
            )
            token = callers[side][caller]
            token = token(scope) if caller == "wrong_scope" else token
            url = path.format(webhook=endpoint.pk, delivery=delivery.pk)
            response = call(client, method, url, token, body)
            if caller in ("none", "expired", "revoked"):
                expected = {401}
            elif caller == "wrong_scope":
                expected = {403}
            elif target == "create":
                expected = {201}
            elif caller == "owner":
                expected = {200, 202, 204}
            else:  # any other owner: their own (empty) list, never this one's webhook
                expected = {200} if target == "list" else {404}
            if response.status_code not in expected:
                problems.append(f"{method} {url} as {caller}: {response.status_code} not in {expected}")
            if caller != "owner" and "ciblee" in response.content.decode():
                problems.append(f"{method} {url} as {caller} shows another owner's webhook")
    assert problems == []
