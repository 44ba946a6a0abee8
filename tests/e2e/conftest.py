"""Browser tests: one real service and one Chromium for the package, one browser context per person.

Package-scoped: the service and the browser stop as soon as the browser tests are done, whatever runs next.

Every page a test looks at goes through `Journal.check`: axe-core (no serious or critical violation),
the page's language, no Content-Security-Policy violation, no script error, no broken resource, and a
screenshot under test-artifacts/screenshots/<test>/<nn>-<step>.png."""

import shutil
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .mailbox import Mailbox
from .people import Authenticator, Journal, Person, VisitedPages
from .service import ARTIFACTS, LiveService
from tests.oidc_provider import LocalProvider

E2E_DIR = Path(__file__).parent
# Accepting a dossier renders and signs the permit inside the request (tasks in-process): on a busy
# machine that takes seconds, so assertions wait as long as actions do.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser test (deselect with -m "not e2e")."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def service():
    # In memory when the system offers it: SQLite's many small synced writes (migrations) are much faster.
    root = Path(tempfile.mkdtemp(prefix="wif-e2e-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    live = LiveService(root)
    # The local FranceConnect and ProConnect (npm oidc-provider), declared for this service's address.
    live.oidc = LocalProvider([live.url], log_path=root / "oidc-provider.log").start()
    live.env.update(live.oidc.environment())
    live.manage("compilemessages", "--ignore=.venv", "-v", "0")
    live.manage("migrate", "--no-input", "-v", "0")
    # Static files as production serves them (fingerprinted, compressed): a broken reference fails here.
    live.manage("collectstatic", "--no-input", "-v", "0", timeout=600)
    # Units of Paris and Lyon with their agents and supervisors (accounts of workinfrance.core.demo).
    live.python("from workinfrance.core.demo import seed_units_and_accounts; seed_units_and_accounts()")
    live.start()
    yield live
    live.stop()
    live.oidc.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def signing_key(service):
    """The permits' seal key, created the way operators do it."""
    return service.manage("signing_keys", "create")


@pytest.fixture(scope="package")
def mailbox(service):
    return Mailbox(service.mail_dir)


@pytest.fixture(scope="package")
def browser():
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="package")
def screenshots_folder():
    """Screenshots of the last run only, and its moderate or minor accessibility findings."""
    folder = ARTIFACTS / "screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    (ARTIFACTS / "accessibility-notes.txt").unlink(missing_ok=True)
    return folder


@pytest.fixture(scope="package")
def visited_pages():
    """Pages checked in French, replayed in English by the English test."""
    return VisitedPages()


@pytest.fixture
def journal(request, visited_pages, screenshots_folder):
    folder = screenshots_folder / request.node.name
    folder.mkdir(parents=True)
    return Journal(folder, visited_pages, notes=ARTIFACTS / "accessibility-notes.txt")


@pytest.fixture(scope="package")
def authenticator():
    """The demo staff's authenticator app, shared by everyone so that no code is used twice."""
    return Authenticator()


@pytest.fixture
def open_person(browser, service, authenticator):
    """Opens a fresh browser (context) for one person; closed at the end of the test.

    `host="localhost"` for passkeys: browsers offer WebAuthn to https sites and http://localhost only."""
    contexts = []

    def open_(label: str, *, language: str = "fr", host: str = "127.0.0.1") -> Person:
        url = service.url.replace("127.0.0.1", host)
        context = browser.new_context(
            base_url=url,
            locale="fr-FR" if language == "fr" else "en-GB",
            timezone_id="Europe/Paris",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        person = Person(
            label=label,
            context=context,
            service_url=url,
            authenticator=authenticator,
            browser_language=language,
        )
        if language != "fr":
            # The browser's own language is enough on a first visit (no choice made, no cookie).
            person.goto("/")
            expect(person.page.locator("html")).to_have_attribute("lang", language)
        return person

    yield open_
    for context in contexts:
        context.close()
