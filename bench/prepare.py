"""What every in-process web bench needs before it measures a page (Django set up already).

- `static_collected()`: pages name their static files through the manifest storage, as production does;
  without a collected manifest every page answers 500 (and a bench would time the error page).
- `signed_in_client(user)`: a test client signed in as a person would be, staff past their second
  factor, so that a timed page is the page and not a redirect to the sign-in steps.
- `page(client, url, params)`: GET that fails loudly on anything but 200.
"""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.test import Client


def static_collected() -> None:
    call_command("collectstatic", "--no-input", verbosity=0, stdout=StringIO())


def signed_in_client(user) -> Client:
    from workinfrance.accounts.second_factor import SESSION_KEY

    client = Client()
    client.force_login(user)
    if not user.is_applicant:  # agents, supervisors and administrators give a second factor
        session = client.session
        session[SESSION_KEY] = "totp"
        session.save()
    return client


def session_cookie(client: Client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def page(client: Client, url: str, params: dict | None = None):
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise SystemExit(
            f"GET {url} {params or ''}: HTTP {response.status_code}, not the page (nothing measured)"
        )
    return response
