"""Bearer-token authentication, scope checks and per-token throttling of the API."""

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from .models import OwnerKind
from .problems import Problem
from .throttle import throttle_hit
from .tokens import token_authenticate


def throttled(key: str, *, limit: int) -> None:
    retry_after = throttle_hit(key, limit=limit, window=settings.WIF_API_THROTTLE_WINDOW)
    if retry_after is not None:
        raise Problem(
            429,
            "throttled",
            _("Limite de requêtes atteinte : réessayez dans %(seconds)s secondes.")
            % {"seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def authenticated_token(request, presented: str):
    token = token_authenticate(presented)
    if token is None:
        return None
    # Set before the throttle so that a refused call is audited with its token too.
    request.api_token = token
    throttled(f"token:{token.pk}", limit=settings.WIF_API_TOKEN_RATE)
    return token


class TokenAuth(HttpBearer):
    openapi_description = "A token created in the web interface: `Authorization: Bearer wif_…`"

    def authenticate(self, request, token):
        return authenticated_token(request, token)


token_auth = TokenAuth()


def require(request, scope: str, owner_kind: str):
    """The request's token, if it belongs to the right kind of owner and carries `scope`; else 403."""
    token = request.auth
    if token.owner_kind != owner_kind:
        raise Problem(
            403,
            "forbidden",
            _("Ce jeton appartient à une unité : utilisez /api/v1/unit/.")
            if token.owner_kind == OwnerKind.UNIT
            else _("Ce jeton appartient à un employeur : utilisez /api/v1/employer/."),
        )
    if scope not in token.scopes:
        raise Problem(
            403,
            "forbidden",
            _("Ce jeton n'a pas le droit « %(scope)s ».") % {"scope": scope},
            required_scope=scope,
        )
    return token
