import importlib

import pytest

from tests.factories import UnitFactory, UserFactory, agent_of, supervisor_of


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Each test writes files to its own folder, starts with an empty cache (throttling) and in French."""
    from django.core.cache import cache
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
    # A request leaves its language active in the thread (as Django's LocaleMiddleware does).
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` (and `client.login`) stand for a completed sign-in, second factor
    included, so tests of back-office pages need not enrol a device. Test-only: the tests of the
    second factor itself go through the real sign-in views (tests/accounts/test_second_factor.py)."""
    from django.test.client import ClientMixin

    from workinfrance.accounts.second_factor import SESSION_KEY

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SESSION_KEY] = "test-force-login"
        session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture
def paris(db):
    return UnitFactory(name="Unité de Paris", department_codes=["75", "92"])


@pytest.fixture
def lyon(db):
    return UnitFactory(name="Unité du Rhône", department_codes=["69"])


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def other_applicant(db):
    return UserFactory()


@pytest.fixture
def agent(paris):
    return agent_of(paris)


@pytest.fixture
def other_agent(paris):
    return agent_of(paris)


@pytest.fixture
def supervisor(paris):
    return supervisor_of(paris)


@pytest.fixture
def lyon_agent(lyon):
    return agent_of(lyon)


@pytest.fixture
def lyon_supervisor(lyon):
    return supervisor_of(lyon)


# Reference data written by data migrations; a transactional test's flush erases it.
SEED_MIGRATIONS = [
    ("workinfrance.territories.migrations.0002_load_departments", "load"),
    ("workinfrance.procedures.migrations.0002_seed_categories", "seed"),
]


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """Put the migration-seeded rows back if a transactional test elsewhere in this process flushed them.

    Tests run in several processes, so the order pytest-django relies on (transactional tests last)
    does not hold across files."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not (marker or transactional or "db" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from workinfrance.territories.models import Department

    if not Department.objects.exists():
        for module, function in SEED_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)
    _content_types_present(apps)


def _content_types_present(apps) -> None:
    """The flush also empties the content types (and permissions), which this process still holds in
    its cache under their old ids: the next admin log entry or generic relation would point to a row
    that is gone. Recreate them and forget the cache."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.contrib.contenttypes.models import ContentType

    if ContentType.objects.exists():
        return
    ContentType.objects.clear_cache()
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
