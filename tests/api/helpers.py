"""Tokens and calls for the API tests."""

import datetime

from django.utils import timezone

from workinfrance.api.models import Scope
from workinfrance.api.tokens import token_create

ALL_UNIT_SCOPES = list(Scope.values)
EMPLOYER_SCOPES = [Scope.DOSSIERS_READ, Scope.DOCUMENTS_READ, Scope.WEBHOOKS_MANAGE]


def make_token(actor, *, unit=None, siret="", scopes=None, days=30) -> str:
    scopes = scopes or (ALL_UNIT_SCOPES if unit is not None else EMPLOYER_SCOPES)
    return token_create(
        actor=actor,
        name="test",
        scopes=scopes,
        expires_at=timezone.now() + datetime.timedelta(days=days),
        unit=unit,
        employer_siret=siret,
    ).plaintext


def auth(token: str | None, **headers) -> dict:
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return headers


def call(client, method: str, path: str, token: str | None = None, body=None, **headers):
    kwargs = auth(token, **headers)
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    return getattr(client, method.lower())(path, **kwargs)
