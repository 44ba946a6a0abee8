import importlib

import pytest

from tests.factories import UnitFactory, UserFactory, agent_of, supervisor_of


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Each test writes files to its own folder and starts with an empty cache (throttling)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


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
