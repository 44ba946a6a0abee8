"""The OpenID Connect providers the service offers, from the settings (themselves from the environment).

A provider without an issuer, a client id and a secret is not offered at all."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

FRANCECONNECT = "franceconnect"
PROCONNECT = "proconnect"

# Only asymmetric signatures: `none` and HMAC (keyed with the client secret) are never accepted.
SIGNING_ALGORITHMS = ["ES256", "RS256"]
# Levels of assurance accepted from FranceConnect (eIDAS low and above).
EIDAS_LEVELS = ["eidas1", "eidas2", "eidas3"]


@dataclass(frozen=True)
class ProviderSpec:
    """What the service asks of each provider (scopes and acr as their documentation lists them)."""

    name: str
    label: str
    scope: str
    acr_values: str = ""
    # The OIDC `claims` request parameter (ProConnect returns `amr` only when asked).
    claims_request: str = ""


SPECS = {
    FRANCECONNECT: ProviderSpec(
        name=FRANCECONNECT,
        label="FranceConnect",
        scope="openid given_name family_name birthdate birthplace birthcountry gender email",
        acr_values="eidas1",
    ),
    PROCONNECT: ProviderSpec(
        name=PROCONNECT,
        label="ProConnect",
        scope="openid email given_name usual_name siret uid",
        claims_request='{"id_token":{"amr":{"essential":true}}}',
    ),
}
PROVIDER_NAMES = tuple(SPECS)


@dataclass(frozen=True)
class ProviderConfig:
    spec: ProviderSpec
    issuer: str
    client_id: str
    client_secret: str
    token_endpoint_auth_method: str = "client_secret_post"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def provider_config(name: str) -> ProviderConfig | None:
    """The provider's settings, or None when it is not configured (then it is not offered)."""
    raw = settings.WIF_OIDC_PROVIDERS.get(name) or {}
    if name not in SPECS or not all(raw.get(key) for key in ("issuer", "client_id", "client_secret")):
        return None
    return ProviderConfig(
        spec=SPECS[name],
        issuer=raw["issuer"],
        client_id=raw["client_id"],
        client_secret=raw["client_secret"],
        token_endpoint_auth_method=raw.get("token_endpoint_auth_method") or "client_secret_post",
    )


def offered_providers() -> dict[str, ProviderConfig]:
    return {name: config for name in PROVIDER_NAMES if (config := provider_config(name))}


def provider_origins() -> list[str]:
    """Scheme, host and port of each offered provider (for the Content-Security-Policy's form-action)."""
    origins = []
    for config in offered_providers().values():
        split = urlsplit(config.issuer)
        origins.append(f"{split.scheme}://{split.netloc}")
    return sorted(set(origins))


PURPOSES = {"employer": _("employeur"), "agent": _("agent de l'administration")}
