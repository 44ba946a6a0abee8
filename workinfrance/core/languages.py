"""Which language to speak to a request: one rule for the site and the API."""

from django.conf import settings
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header


def accepted_language(header: str) -> str:
    """The first supported language of an Accept-Language header ("en-GB" gives "en"), else French."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def site_language(request) -> str:
    """The visitor's choice (language cookie) first; on a first visit, what the browser asks for.

    Students are foreign: an English browser gets the English site at once, and the switch in the
    header, remembered in the cookie, wins from then on."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return accepted_language(request.headers.get("Accept-Language", ""))
