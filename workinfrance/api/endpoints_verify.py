"""`POST /verify`: the verdicts of the verification page (`seal_results`), for programs."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import NinjaJSONEncoder

from workinfrance.core.client import client_throttle_key
from workinfrance.permits.selectors import SealResult, seal_results

from .auth import authenticated_token, throttled
from .problems import Problem
from .schemas import ProblemOut, VerifyIn, VerifyOut

router = Router(tags=["verification"])
MAX_BATCH = 1000
_encoder = NinjaJSONEncoder()


def _signed(claims) -> dict | None:
    if claims is None:
        return None
    return {
        "number": claims.number,
        "last_name": claims.last_name,
        "first_name": claims.first_name,
        "birth_date": claims.birth_date.isoformat(),
        "employer_name": claims.employer_name,
        "employer_siret": claims.employer_siret,
        "category": claims.category,
        "weekly_hours": str(claims.weekly_hours),
        "valid_from": claims.valid_from.isoformat(),
        "valid_until": claims.valid_until.isoformat(),
        "issuer": claims.issuer,
    }


def verdict_out(result: SealResult) -> dict:
    revoked_at = result.state.revoked_at if result.state else None
    return {
        "verdict": "malformed" if result.malformed else result.verdict.value,
        # The signed fields only for a permit this service vouches for (what the page shows).
        "signed": _signed(result.claims) if result.state else None,
        "revoked_at": (
            datetime.datetime.fromtimestamp(revoked_at, tz=datetime.UTC).isoformat() if revoked_at else None
        ),
    }


def _bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


@router.post(
    "/verify",
    response={200: VerifyOut, **dict.fromkeys((401, 422, 429), ProblemOut)},
    summary="Verify one seal (no token) or up to 1,000 (token)",
    openapi_extra={"security": [{}, {"TokenAuth": []}]},
)
def verify(request: HttpRequest, payload: VerifyIn):
    """Verdicts: valid, not_yet_in_force, expired, revoked, not_genuine (forged, altered, unknown key or permit), malformed
    (not a seal at all). The same verdicts as /V/ and `manage.py verify_permit`."""
    if (payload.seal is None) == (payload.seals is None):
        raise Problem(422, "invalid", _("Envoyez soit « seal » (un cachet), soit « seals » (une liste)."))
    presented = _bearer(request)
    token = authenticated_token(request, presented) if presented else None
    if presented and token is None:
        raise Problem(
            401,
            "unauthorized",
            _("Jeton inconnu, expiré ou révoqué."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    if payload.seals is not None:
        if token is None:
            raise Problem(
                401,
                "unauthorized",
                _("Une vérification par lot demande un jeton."),
                headers={"WWW-Authenticate": "Bearer"},
            )
        texts = payload.seals
    else:
        if token is None:
            throttled(
                f"verify-ip:{client_throttle_key(request)}", limit=settings.WIF_API_VERIFY_ANONYMOUS_RATE
            )
        assert payload.seal is not None  # checked above: exactly one of `seal` and `seals`
        texts = [payload.seal]
    results = seal_results(texts=texts, today=timezone.localdate())
    # Serialised here: a batch of 1,000 answers must cost little more than its signature checks.
    body = _encoder.encode({"results": [verdict_out(r) for r in results]})
    return HttpResponse(body, content_type="application/json")
