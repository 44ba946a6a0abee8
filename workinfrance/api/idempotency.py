"""`Idempotency-Key` for actions: the first answer is stored with the action, in its transaction,
and replayed for a retry of the same request; the same key for another request is refused."""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .models import IdempotentResponse
from .problems import Problem

MAX_KEY_LENGTH = 255


def _request_hash(request) -> str:
    digest = hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(stored: IdempotentResponse, request_hash: str) -> HttpResponse:
    if stored.request_hash != request_hash:
        raise Problem(
            422,
            "idempotency_mismatch",
            _("Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé."),
        )
    response = HttpResponse(bytes(stored.body), status=stored.status, content_type=stored.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, run) -> HttpResponse:
    """Run `run()` (which returns an HttpResponse) at most once per (token, key)."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        return run()
    if len(key) > MAX_KEY_LENGTH:
        raise Problem(422, "invalid", _("La clé d'idempotence dépasse 255 caractères."))
    token, request_hash = request.auth, _request_hash(request)
    stored = IdempotentResponse.objects.filter(token=token, key=key).first()
    if stored is not None:
        return _replay(stored, request_hash)
    try:
        with transaction.atomic():
            # A concurrent request with the same key waits on this row's unique index, then replays.
            record = IdempotentResponse.objects.create(token=token, key=key, request_hash=request_hash)
            response = _run_as_response(request, run)
            record.status, record.body = response.status_code, response.content
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status", "body", "content_type"])
    except IntegrityError:
        return _replay(IdempotentResponse.objects.get(token=token, key=key), request_hash)
    return response


def _run_as_response(request, run) -> HttpResponse:
    """The action's answer, a refusal included: a retry after a refusal gets the same refusal."""
    from .api import api

    try:
        return run()
    except Exception as error:  # noqa: BLE001 - turned into the problem the API would answer
        handler = api._lookup_exception_handler(error)
        if handler is None:
            raise
        return handler(request, error)
