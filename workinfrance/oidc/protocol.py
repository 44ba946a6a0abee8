"""The OpenID Connect exchange, done by Authlib: code flow with state, nonce and PKCE, the ID token
checked against the provider's JWKS, userinfo as JSON or as a signed JWT, logout at the provider.

This module only glues Authlib to the settings and turns every failure into `SignInError`."""

import logging
import time
from dataclasses import dataclass, field

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from .providers import EIDAS_LEVELS, FRANCECONNECT, SIGNING_ALGORITHMS, ProviderConfig

logger = logging.getLogger(__name__)

# Discovery documents and JWKS are kept this long per process; an unknown `kid` refetches the JWKS.
METADATA_TTL_SECONDS = 600
# Clock skew tolerated on `exp`, `iat` (seconds).
LEEWAY_SECONDS = 60


class SignInError(Exception):
    """The provider's answer is refused, or the provider cannot be reached. `message` is for the user."""

    def __init__(self, message: str, *, unavailable: bool = False):
        super().__init__(message)
        self.message = message
        self.unavailable = unavailable


@dataclass(frozen=True)
class SignIn:
    """A verified sign-in: the ID token's subject and the claims (userinfo merged over the ID token)."""

    provider: str
    sub: str
    claims: dict
    id_token: str
    amr: tuple[str, ...] = field(default_factory=tuple)
    acr: str = ""


class _ProviderApp(DjangoOAuth2App):
    """Authlib's Django client, with the accepted signature algorithms fixed by the service."""

    def load_server_metadata(self):
        metadata = super().load_server_metadata()
        metadata["id_token_signing_alg_values_supported"] = SIGNING_ALGORITHMS
        return metadata


_apps: dict[tuple, _ProviderApp] = {}


def provider_app(config: ProviderConfig) -> _ProviderApp:
    key = (config.name, config.issuer, config.client_id, settings.WIF_OIDC_TIMEOUT)
    app = _apps.get(key)
    if app is None or time.monotonic() - app.created_at > METADATA_TTL_SECONDS:
        app = _ProviderApp(
            DjangoIntegration(config.name),
            name=config.name,
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={
                "scope": config.spec.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": config.token_endpoint_auth_method,
                "default_timeout": settings.WIF_OIDC_TIMEOUT,
            },
        )
        app.created_at = time.monotonic()
        _apps[key] = app
    return app


def _unavailable(config: ProviderConfig, error: Exception) -> SignInError:
    logger.warning("%s unreachable: %s", config.name, error)
    return SignInError(
        _(
            "%(provider)s ne répond pas pour le moment. Réessayez dans quelques minutes, "
            "ou connectez-vous avec votre adresse e-mail et votre mot de passe."
        )
        % {"provider": config.spec.label},
        unavailable=True,
    )


def _refused(config: ProviderConfig, error: Exception | str) -> SignInError:
    logger.warning("%s answer refused: %s", config.name, error)
    return SignInError(
        _(
            "La connexion avec %(provider)s n'a pas pu être vérifiée. Aucune donnée n'a été enregistrée ; "
            "recommencez depuis la page de connexion."
        )
        % {"provider": config.spec.label}
    )


def authorization_redirect(request, config: ProviderConfig, redirect_uri: str):
    """The redirection to the provider; state, nonce and PKCE verifier are kept in the session."""
    extra = {}
    if config.spec.acr_values:
        extra["acr_values"] = config.spec.acr_values
    if config.spec.claims_request:
        extra["claims"] = config.spec.claims_request
    try:
        return provider_app(config).authorize_redirect(request, redirect_uri, **extra)
    except (requests.RequestException, ValueError, KeyError) as error:
        raise _unavailable(config, error) from error


def _id_token_claims_options(config: ProviderConfig) -> dict:
    options = {
        "iss": {"essential": True, "values": [config.issuer]},
        # Authlib checks `aud` only when asked to: without this, a token for another client could pass.
        "aud": {"essential": True, "values": [config.client_id]},
        "sub": {"essential": True},
    }
    if config.name == FRANCECONNECT:
        options["acr"] = {"essential": True, "values": EIDAS_LEVELS}
    return options


def _userinfo(app: _ProviderApp, config: ProviderConfig, token: dict) -> dict:
    """Userinfo as plain JSON, or as a JWT signed with one of the provider's keys (FranceConnect v2, ProConnect)."""
    metadata = app.load_server_metadata()
    response = app.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/jwt":
        return response.json()
    registry = JWSRegistry(algorithms=SIGNING_ALGORITHMS)
    try:
        decoded = jwt.decode(response.text, KeySet.import_key_set(app.fetch_jwk_set()), registry=registry)
    except JoseError:
        decoded = jwt.decode(
            response.text, KeySet.import_key_set(app.fetch_jwk_set(force=True)), registry=registry
        )
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
    ).validate(claims)
    return claims


def sign_in_complete(request, config: ProviderConfig) -> SignIn:
    """Check the provider's answer (state, code exchange with the PKCE verifier, ID token, userinfo)."""
    app = provider_app(config)
    try:
        token = app.authorize_access_token(
            request, claims_options=_id_token_claims_options(config), leeway=LEEWAY_SECONDS
        )
        id_claims = token.get("userinfo")
        if not id_claims:
            raise SignInError("no ID token in the token response")
        userinfo = _userinfo(app, config, token)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _unavailable(config, error) from error
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if status >= 500:
            raise _unavailable(config, error) from error
        raise _refused(config, error) from error
    except (OAuthError, JoseError, SignInError, ValueError, KeyError, TypeError) as error:
        raise _refused(config, error) from error
    if userinfo.get("sub") != id_claims["sub"]:
        raise _refused(config, "userinfo sub differs from the ID token's")
    amr = id_claims.get("amr") or ()
    return SignIn(
        provider=config.name,
        sub=str(id_claims["sub"]),
        claims={**dict(id_claims), **userinfo},
        id_token=token["id_token"],
        amr=tuple(amr) if isinstance(amr, list | tuple) else (),
        acr=str(id_claims.get("acr") or ""),
    )


def logout_redirect(request, config: ProviderConfig, *, id_token: str, post_logout_redirect_uri: str):
    """End the session at the provider too; it comes back to `post_logout_redirect_uri` with a state."""
    try:
        return provider_app(config).logout_redirect(
            request, post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token
        )
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        raise _unavailable(config, error) from error


def logout_callback_check(request, config: ProviderConfig) -> bool:
    try:
        provider_app(config).validate_logout_response(request)
    except OAuthError:
        return False
    return True
