from django import template

from ..providers import FRANCECONNECT, PROCONNECT, offered_providers

register = template.Library()


@register.inclusion_tag("oidc/_sign_in_buttons.html", takes_context=True)
def oidc_sign_in_buttons(context):
    """The FranceConnect and ProConnect buttons, for the configured providers only."""
    offered = offered_providers()
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "franceconnect": FRANCECONNECT in offered,
        "proconnect": PROCONNECT in offered,
    }
