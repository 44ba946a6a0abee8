"""Sign in with FranceConnect or ProConnect, confirm a link to an existing account, sign out at the provider."""

import logging

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .forms import LinkPasswordForm
from .models import OidcIdentity
from .protocol import (
    SignIn,
    SignInError,
    authorization_redirect,
    logout_callback_check,
    logout_redirect,
    sign_in_complete,
)
from .providers import PROCONNECT, PURPOSES, offered_providers, provider_config
from .second_factor import second_factor_from_proconnect

logger = logging.getLogger(__name__)

SESSION_PROVIDER = "wif_oidc_provider"
SESSION_ID_TOKEN = "wif_oidc_id_token"
SESSION_PURPOSE = "wif_oidc_purpose"
SESSION_PENDING_LINK = "wif_oidc_pending_link"
BACKEND = "workinfrance.oidc.backends.OidcBackend"


def _config_or_404(provider: str):
    config = provider_config(provider)
    if config is None:
        raise Http404
    return config


def _error_page(request, message: str, *, status: int):
    return render(request, "oidc/error.html", {"message": message}, status=status)


@require_POST
def start(request, provider):
    """Leave for the provider (a POST with the CSRF token: no one can start a sign-in for someone else)."""
    config = _config_or_404(provider)
    purpose = request.POST.get("purpose", "")
    request.session[SESSION_PURPOSE] = (
        purpose if provider == PROCONNECT and purpose in PURPOSES else "employer"
    )
    try:
        return authorization_redirect(
            request,
            config,
            request.build_absolute_uri(reverse("oidc:callback", kwargs={"provider": provider})),
        )
    except SignInError as error:
        return _error_page(request, error.message, status=502)


def _sign_in(request, user, sign_in: SignIn) -> None:
    login(request, user, backend=BACKEND)
    # Set after login(), which renews the session.
    request.session[SESSION_PROVIDER] = sign_in.provider
    request.session[SESSION_ID_TOKEN] = sign_in.id_token
    second_factor_from_proconnect(request, sign_in)


@require_GET
def callback(request, provider):
    config = _config_or_404(provider)
    purpose = request.session.pop(SESSION_PURPOSE, "employer")
    if request.GET.get("error") == "access_denied":
        messages.info(request, _("Connexion avec %(provider)s annulée.") % {"provider": config.spec.label})
        return redirect("accounts:login")
    try:
        sign_in = sign_in_complete(request, config)
    except SignInError as error:
        return _error_page(request, error.message, status=502 if error.unavailable else 400)
    if sign_in.provider == PROCONNECT:
        outcome = services.proconnect_sign_in(sign_in, purpose=purpose)
    else:
        outcome = services.franceconnect_sign_in(sign_in)
    if isinstance(outcome, services.Refused):
        logger.info("%s sign-in refused (%s)", provider, outcome.verb)
        services.sign_in_refusal_record(outcome, provider=provider)
        return _error_page(request, outcome.message, status=403)
    if isinstance(outcome, services.LinkNeeded):
        request.session[SESSION_PENDING_LINK] = outcome.identity.pk
        request.session[SESSION_ID_TOKEN] = sign_in.id_token
        return redirect("oidc:link")
    _sign_in(request, outcome.user, sign_in)
    if outcome.created:
        messages.success(
            request, _("Votre compte est créé avec %(provider)s.") % {"provider": config.spec.label}
        )
    return redirect("accounts:after_login")


def _pending_identity(request) -> OidcIdentity | None:
    pk = request.session.get(SESSION_PENDING_LINK)
    return OidcIdentity.objects.select_related("user").filter(pk=pk, confirmed=False).first() if pk else None


@require_http_methods(["GET", "POST"])
def link(request):
    """An account exists with the provider's address: its owner confirms by password or by e-mail."""
    identity = _pending_identity(request)
    if identity is None:
        messages.info(request, _("Cette demande de rattachement n'est plus valable. Reconnectez-vous."))
        return redirect("accounts:login")
    form = LinkPasswordForm(request.POST or None)
    if request.method == "POST" and "send_email" in request.POST:
        services.identity_link_send_email(identity=identity)
        return render(request, "oidc/link_email_sent.html", {"identity": identity})
    if request.method == "POST" and form.is_valid():
        if services.identity_link_confirm_with_password(
            identity=identity, password=form.cleaned_data["password"]
        ):
            id_token = request.session.get(SESSION_ID_TOKEN, "")
            sign_in = SignIn(
                provider=identity.provider,
                sub=identity.sub,
                claims=identity.claims,
                id_token=id_token,
                amr=tuple(identity.claims.get("amr") or ()),
            )
            _sign_in(request, identity.user, sign_in)
            services.signed_in_record(user=identity.user, method=identity.provider)
            messages.success(
                request,
                _("Votre compte est relié à %(provider)s.") % {"provider": identity.get_provider_display()},
            )
            return redirect("accounts:after_login")
        form.add_error("password", _("Mot de passe incorrect."))
        if _pending_identity(request) is None:
            request.session.pop(SESSION_PENDING_LINK, None)
            messages.error(request, _("Trop d'essais : la demande de rattachement est annulée."))
            return redirect("accounts:login")
    return render(
        request, "oidc/link.html", {"identity": identity, "form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def link_email(request, token):
    """The link mailed to the account's address. GET only shows a button: mail scanners open links."""
    if request.method == "GET":
        return render(request, "oidc/link_email_confirm.html")
    identity = services.identity_link_confirm_with_token(token=token)
    if identity is None:
        return _error_page(request, _("Ce lien n'est pas valable ou a expiré."), status=400)
    messages.success(
        request,
        _("Votre compte est relié à %(provider)s : connectez-vous avec %(provider)s.")
        % {"provider": identity.get_provider_display()},
    )
    return redirect("accounts:login")


@require_POST
def sign_out(request):
    """Sign out here, and at the provider when the session came from one (with id_token_hint)."""
    provider = request.session.get(SESSION_PROVIDER)
    id_token = request.session.get(SESSION_ID_TOKEN)
    user = request.user if request.user.is_authenticated else None
    logout(request)
    config = provider_config(provider) if provider else None
    if user is not None:
        services.signed_out_record(user=user, method=provider or "password")
    if config is None or not id_token:
        return redirect("core:home")
    try:
        return logout_redirect(
            request,
            config,
            id_token=id_token,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("oidc:logout_return")),
        )
    except SignInError:
        messages.warning(
            request,
            _("Vous êtes déconnecté du service, mais %(provider)s n'a pas pu être joint.")
            % {"provider": config.spec.label},
        )
        return redirect("core:home")


@require_GET
def logout_return(request):
    """The provider sends the browser back here after its own sign-out."""
    if any(logout_callback_check(request, config) for config in offered_providers().values()):
        messages.success(request, _("Vous êtes déconnecté."))
    return redirect("core:home")
