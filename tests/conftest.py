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
